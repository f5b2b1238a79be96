#include "text_style.h"

#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace parley::client {
namespace {

// Red, green, yellow, blue, magenta and cyan in their bright variants,
// which stay readable on dark and light backgrounds.
constexpr std::array<absl::string_view, 6> kSenderColours = {"91", "92", "93", "94", "95", "96"};

// 32-bit FNV-1a, which is stable across runs, unlike std::hash.
uint32_t HashName(absl::string_view name) {
  uint32_t hash = 2166136261u;
  for (const char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return hash;
}

}  // namespace

std::string Paint(absl::string_view text, absl::string_view sgr, TextStyle style) {
  if (!style.colour) return std::string(text);
  return absl::StrCat("\x1b[", sgr, "m", text, "\x1b[0m");
}

absl::string_view SenderColour(absl::string_view sender) {
  return kSenderColours[HashName(sender) % kSenderColours.size()];
}

bool ColourSupported(int fd) {
  if (isatty(fd) != 1) return false;
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && no_colour[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  return term != nullptr && term[0] != '\0' && std::strcmp(term, "dumb") != 0;
}

}  // namespace parley::client
