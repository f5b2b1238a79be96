#include "parley/chat/word_filter.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "parley/chat/normalization.h"
#include "utf8proc.h"

namespace parley::chat {
namespace {

bool IsMark(utf8proc_int32_t code_point) {
  switch (utf8proc_category(code_point)) {
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      return true;
    default:
      return false;
  }
}

bool IsWordCharacter(utf8proc_int32_t code_point) {
  switch (utf8proc_category(code_point)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return IsMark(code_point);
  }
}

// Decodes the code point at `text[offset]` into `*code_point` and returns
// its length in bytes. An invalid byte counts as one byte with code point
// -1, which is no word character.
size_t Decode(absl::string_view text, size_t offset, utf8proc_int32_t* code_point) {
  utf8proc_ssize_t length =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + offset),
                       static_cast<utf8proc_ssize_t>(text.size() - offset), code_point);
  if (length <= 0) {
    *code_point = -1;
    return 1;
  }
  return static_cast<size_t>(length);
}

// Splits `text` into alternating runs of word and non-word characters and
// calls `visit(run, is_word)` for each, in order.
template <typename Visit>
void ForEachRun(absl::string_view text, Visit visit) {
  size_t start = 0;
  bool in_word = false;
  size_t offset = 0;
  while (offset < text.size()) {
    utf8proc_int32_t code_point;
    size_t length = Decode(text, offset, &code_point);
    bool word = code_point >= 0 && IsWordCharacter(code_point);
    if (offset > 0 && word != in_word) {
      visit(text.substr(start, offset - start), in_word);
      start = offset;
    }
    in_word = word;
    offset += length;
  }
  if (!text.empty()) visit(text.substr(start), in_word);
}

bool IsOneWord(absl::string_view text) {
  int runs = 0;
  bool word = false;
  ForEachRun(text, [&](absl::string_view, bool is_word) {
    ++runs;
    word = is_word;
  });
  return runs == 1 && word;
}

}  // namespace

absl::Status WordFilter::CheckWord(absl::string_view field, absl::string_view word) {
  absl::StatusOr<std::string> nfc = ToNfc(field, word);
  if (!nfc.ok()) return nfc.status();
  if (nfc->empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": must not be empty"));
  if (!IsOneWord(*nfc)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be one word of letters, combining marks and digits"));
  }
  return absl::OkStatus();
}

absl::StatusOr<WordFilter> WordFilter::Create(absl::string_view field,
                                              const std::vector<std::string>& words) {
  absl::flat_hash_set<std::string> folded_words;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string entry = absl::StrCat(field, "[", i, "]");
    if (absl::Status status = CheckWord(entry, words[i]); !status.ok()) return status;
    absl::StatusOr<std::string> folded = CaseFold(entry, words[i]);
    if (!folded.ok()) return folded.status();
    folded_words.insert(*std::move(folded));
  }
  return WordFilter(std::move(folded_words));
}

bool WordFilter::Listed(absl::string_view word) const {
  absl::StatusOr<std::string> folded = CaseFold("word", word);
  return folded.ok() && folded_words_.contains(*folded);
}

bool WordFilter::Matches(absl::string_view text) const {
  if (empty()) return false;
  bool found = false;
  ForEachRun(text, [&](absl::string_view run, bool is_word) {
    if (!found && is_word && Listed(run)) found = true;
  });
  return found;
}

std::string WordFilter::Mask(absl::string_view text, int* masked) const {
  *masked = 0;
  if (empty()) return std::string(text);
  std::string result;
  result.reserve(text.size());
  ForEachRun(text, [&](absl::string_view run, bool is_word) {
    if (!is_word || !Listed(run)) {
      result.append(run.data(), run.size());
      return;
    }
    ++*masked;
    size_t offset = 0;
    while (offset < run.size()) {
      utf8proc_int32_t code_point;
      offset += Decode(run, offset, &code_point);
      if (!IsMark(code_point)) result.push_back('*');
    }
  });
  return result;
}

}  // namespace parley::chat
