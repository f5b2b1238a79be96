#ifndef PARLEY_CHAT_NORMALIZATION_H_
#define PARLEY_CHAT_NORMALIZATION_H_

// Unicode normalisation with utf8proc. Parley stores and compares sender
// names and texts in Normalization Form C, so that "é" typed as one code
// point (U+00E9) and as "e" plus a combining acute accent (U+0301) are the
// same name.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace parley::chat {

// Returns `value` in Normalization Form C. Invalid UTF-8 is
// INVALID_ARGUMENT naming `field`.
absl::StatusOr<std::string> ToNfc(absl::string_view field, absl::string_view value);

// Returns the Unicode case folding of `value` in Normalization Form C, for
// case-insensitive comparison ("Straße" and "STRASSE" fold alike). Invalid
// UTF-8 is INVALID_ARGUMENT naming `field`.
absl::StatusOr<std::string> CaseFold(absl::string_view field, absl::string_view value);

}  // namespace parley::chat

#endif  // PARLEY_CHAT_NORMALIZATION_H_
