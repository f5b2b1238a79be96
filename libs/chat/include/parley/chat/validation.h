#ifndef PARLEY_CHAT_VALIDATION_H_
#define PARLEY_CHAT_VALIDATION_H_

// Input rules shared by the public services. Every error is
// INVALID_ARGUMENT with a message that names the field and the limit.

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace parley::chat {

struct Limits {
  size_t room_max_bytes = 64;
  size_t sender_max_bytes = 32;
  size_t text_max_bytes = 4096;
  size_t client_message_id_max_bytes = 128;
};

// Returns true when `text` is well-formed UTF-8 (no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool IsValidUtf8(absl::string_view text);

// Room names: 1 to room_max_bytes of ASCII letters, digits, '-', '_' and
// '.', so they are safe in logs, URLs and file names.
absl::Status ValidateRoom(absl::string_view field, absl::string_view room, const Limits& limits);

// Sender names: 1 to sender_max_bytes of UTF-8 without control characters,
// spaces at either end or '/'.
absl::Status ValidateSender(absl::string_view sender, const Limits& limits);

// Message text: 1 to text_max_bytes of UTF-8 whose only control characters
// are newline and tab.
absl::Status ValidateText(absl::string_view text, const Limits& limits);

// Client message ids: empty, or up to client_message_id_max_bytes of
// printable ASCII.
absl::Status ValidateClientMessageId(absl::string_view id, const Limits& limits);

}  // namespace parley::chat

#endif  // PARLEY_CHAT_VALIDATION_H_
