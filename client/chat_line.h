#ifndef PARLEY_CLIENT_CHAT_LINE_H_
#define PARLEY_CLIENT_CHAT_LINE_H_

#include <cstdint>
#include <string>
#include <variant>

#include "absl/strings/string_view.h"

namespace parley::client {

// Requests that a line typed into the terminal chat can make.
namespace chat_line {

// An empty or blank line, which does nothing.
struct Nothing {};
// Text to send to the current room as it is, "/me ..." included: processor
// turns "/me text" into an action.
struct Send {
  std::string text;
};
struct Join {
  std::string room;
};
// An empty room means the current room.
struct Leave {
  std::string room;
};
struct Who {};
struct History {
  uint32_t count = 0;
};
struct Quit {};
struct Help {};
// A line that starts with "/" but is not a valid command.
struct Invalid {
  std::string error;
};

}  // namespace chat_line

using ChatLine = std::variant<chat_line::Nothing, chat_line::Send, chat_line::Join,
                              chat_line::Leave, chat_line::Who, chat_line::History,
                              chat_line::Quit, chat_line::Help, chat_line::Invalid>;

// Number of messages /history shows without an argument.
inline constexpr uint32_t kDefaultHistoryCount = 20;
// Largest argument of /history. Broadcaster may allow fewer and then
// rejects the call.
inline constexpr uint32_t kMaxHistoryCount = 1000;

// Parses one line typed into the terminal chat. A line that does not start
// with "/" is text to send, and "//" at the start sends the rest with one
// "/" removed, so text can start with a slash.
ChatLine ParseChatLine(absl::string_view line);

// Returns the help text for the commands, one command per line.
std::string ChatCommandHelp();

}  // namespace parley::client

#endif  // PARLEY_CLIENT_CHAT_LINE_H_
