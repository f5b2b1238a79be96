#include "parley/chat/normalization.h"

#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "utf8proc.h"

namespace parley::chat {
namespace {

struct FreeDeleter {
  void operator()(utf8proc_uint8_t* memory) const { std::free(memory); }
};

absl::StatusOr<std::string> Map(absl::string_view field, absl::string_view value,
                                utf8proc_option_t options) {
  // utf8proc_map reads exactly `size` bytes when UTF8PROC_NULLTERM is not
  // set, so embedded NUL characters are mapped like any other.
  utf8proc_uint8_t* output = nullptr;
  utf8proc_ssize_t size =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(value.data()),
                   static_cast<utf8proc_ssize_t>(value.size()), &output, options);
  std::unique_ptr<utf8proc_uint8_t, FreeDeleter> owned(output);
  if (size == UTF8PROC_ERROR_INVALIDUTF8) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": is not valid UTF-8"));
  }
  if (size < 0) {
    return absl::InternalError(
        absl::StrCat(field, ": Unicode normalisation failed: ", utf8proc_errmsg(size)));
  }
  return std::string(reinterpret_cast<const char*>(output), static_cast<size_t>(size));
}

}  // namespace

absl::StatusOr<std::string> ToNfc(absl::string_view field, absl::string_view value) {
  return Map(field, value, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
}

absl::StatusOr<std::string> CaseFold(absl::string_view field, absl::string_view value) {
  return Map(field, value,
             static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                            UTF8PROC_CASEFOLD));
}

}  // namespace parley::chat
