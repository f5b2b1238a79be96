#include "parley/chat/validation.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace parley::chat {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

// Returns the first control character (C0, DEL or C1) in valid UTF-8
// `text` other than those in `allowed`, or -1.
int FirstControlCharacter(absl::string_view text, absl::string_view allowed) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if ((byte < 0x20 || byte == 0x7f) && allowed.find(text[i]) == absl::string_view::npos) {
      return byte;
    }
    // C1 controls U+0080..U+009F are encoded as C2 80..C2 9F.
    if (byte == 0xc2 && i + 1 < text.size()) {
      auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9f) return next;
    }
  }
  return -1;
}

absl::Status CheckLength(absl::string_view field, absl::string_view value, size_t max_bytes) {
  if (value.empty()) return Invalid(field, "must not be empty");
  if (value.size() > max_bytes) {
    return Invalid(field, absl::StrCat("is ", value.size(), " bytes, the maximum is ", max_bytes));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t code_point = 0;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if ((byte & 0xe0) == 0xc0) {
      length = 2;
      code_point = byte & 0x1f;
    } else if ((byte & 0xf0) == 0xe0) {
      length = 3;
      code_point = byte & 0x0f;
    } else if ((byte & 0xf8) == 0xf0) {
      length = 4;
      code_point = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      auto continuation = static_cast<unsigned char>(text[i + k]);
      if ((continuation & 0xc0) != 0x80) return false;
      code_point = (code_point << 6) | (continuation & 0x3f);
    }
    static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinimum[length] || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return false;
    }
    i += length;
  }
  return true;
}

absl::Status ValidateRoom(absl::string_view field, absl::string_view room, const Limits& limits) {
  if (auto status = CheckLength(field, room, limits.room_max_bytes); !status.ok()) return status;
  for (char c : room) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return Invalid(field, "may contain only ASCII letters, digits, '-', '_' and '.'");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateSender(absl::string_view sender, const Limits& limits) {
  if (auto status = CheckLength("sender", sender, limits.sender_max_bytes); !status.ok()) {
    return status;
  }
  if (!IsValidUtf8(sender)) return Invalid("sender", "is not valid UTF-8");
  if (FirstControlCharacter(sender, "") >= 0) {
    return Invalid("sender", "must not contain control characters");
  }
  if (sender.find('/') != absl::string_view::npos) return Invalid("sender", "must not contain '/'");
  if (sender.front() == ' ' || sender.back() == ' ') {
    return Invalid("sender", "must not start or end with a space");
  }
  return absl::OkStatus();
}

absl::Status ValidateText(absl::string_view text, const Limits& limits) {
  if (auto status = CheckLength("text", text, limits.text_max_bytes); !status.ok()) return status;
  if (!IsValidUtf8(text)) return Invalid("text", "is not valid UTF-8");
  int control = FirstControlCharacter(text, "\n\t");
  if (control >= 0) {
    return Invalid("text", absl::StrFormat("contains control character U+%04X; only newline "
                                           "and tab are allowed",
                                           control));
  }
  return absl::OkStatus();
}

absl::Status ValidateClientMessageId(absl::string_view id, const Limits& limits) {
  if (id.size() > limits.client_message_id_max_bytes) {
    return Invalid("client_message_id", absl::StrCat("is ", id.size(), " bytes, the maximum is ",
                                                     limits.client_message_id_max_bytes));
  }
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) {
      return Invalid("client_message_id", "may contain only printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

}  // namespace parley::chat
