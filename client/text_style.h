#ifndef PARLEY_CLIENT_TEXT_STYLE_H_
#define PARLEY_CLIENT_TEXT_STYLE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace parley::client {

// Decoration of text lines. Colour means ANSI SGR escape sequences, which
// only a terminal should receive.
struct TextStyle {
  bool colour = false;
};

// SGR parameters of the decorations the client uses.
inline constexpr absl::string_view kDim = "2";
inline constexpr absl::string_view kNoticeColour = "33";

// Returns `text` wrapped in the SGR sequence `sgr` and a reset when
// `style.colour` is set, and `text` unchanged otherwise.
std::string Paint(absl::string_view text, absl::string_view sgr, TextStyle style);

// Returns the SGR colour of `sender`: one of six foreground colours, the
// same for a name in every run and on every machine.
absl::string_view SenderColour(absl::string_view sender);

// Returns whether `fd` is a terminal that understands colour: isatty(fd),
// TERM set and not "dumb", and NO_COLOR unset or empty.
bool ColourSupported(int fd);

}  // namespace parley::client

#endif  // PARLEY_CLIENT_TEXT_STYLE_H_
