#include "chat_line.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace parley::client {
namespace {

using chat_line::Invalid;

Invalid Usage(absl::string_view usage) { return Invalid{absl::StrCat("usage: ", usage)}; }

ChatLine ParseHistory(const std::vector<absl::string_view>& arguments) {
  if (arguments.empty()) return chat_line::History{kDefaultHistoryCount};
  uint32_t count = 0;
  if (arguments.size() > 1 || !absl::SimpleAtoi(arguments[0], &count) || count < 1 ||
      count > kMaxHistoryCount) {
    return Invalid{absl::StrCat("usage: /history [N], with N from 1 to ", kMaxHistoryCount)};
  }
  return chat_line::History{count};
}

ChatLine ParseCommand(absl::string_view name, const std::vector<absl::string_view>& arguments) {
  if (name == "join") {
    if (arguments.size() != 1) return Usage("/join ROOM");
    return chat_line::Join{std::string(arguments[0])};
  }
  if (name == "leave") {
    if (arguments.size() > 1) return Usage("/leave [ROOM]");
    return chat_line::Leave{arguments.empty() ? "" : std::string(arguments[0])};
  }
  if (name == "who") {
    if (!arguments.empty()) return Usage("/who");
    return chat_line::Who{};
  }
  if (name == "history") return ParseHistory(arguments);
  if (name == "quit") {
    if (!arguments.empty()) return Usage("/quit");
    return chat_line::Quit{};
  }
  if (name == "help") return chat_line::Help{};
  return Invalid{absl::StrCat("unknown command /", name, "; /help lists the commands")};
}

}  // namespace

ChatLine ParseChatLine(absl::string_view line) {
  if (absl::StripAsciiWhitespace(line).empty()) return chat_line::Nothing{};
  if (!absl::StartsWith(line, "/")) return chat_line::Send{std::string(line)};
  if (absl::StartsWith(line, "//")) return chat_line::Send{std::string(line.substr(1))};

  // "/me" is text for processor, so it keeps its spacing.
  if (line == "/me" || absl::StartsWith(line, "/me ")) {
    if (absl::StripAsciiWhitespace(line.substr(3)).empty()) return Usage("/me TEXT");
    return chat_line::Send{std::string(line)};
  }

  const absl::string_view body = line.substr(1);
  if (body.empty() || absl::ascii_isspace(static_cast<unsigned char>(body[0]))) {
    return Invalid{"a command name must follow \"/\"; /help lists the commands"};
  }
  std::vector<absl::string_view> words =
      absl::StrSplit(body, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  const absl::string_view name = words.front();
  words.erase(words.begin());
  return ParseCommand(name, words);
}

std::string ChatCommandHelp() {
  return "/join ROOM     follow ROOM and send to it\n"
         "/leave [ROOM]  stop following ROOM (default: the current room)\n"
         "/who           list the members of the current room\n"
         "/history [N]   show the last N messages of the current room (default 20)\n"
         "/me TEXT       send TEXT as an action, shown as \"* NAME TEXT\"\n"
         "//TEXT         send \"/TEXT\"\n"
         "/quit          leave the chat (also Ctrl-D on an empty line)";
}

}  // namespace parley::client
