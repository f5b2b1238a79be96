#include "chat_line.h"

#include <variant>

#include "gtest/gtest.h"

namespace parley::client {
namespace {

template <typename T>
const T& As(const ChatLine& line) {
  EXPECT_TRUE(std::holds_alternative<T>(line)) << "variant index " << line.index();
  static const T kEmpty{};
  const T* value = std::get_if<T>(&line);
  return value != nullptr ? *value : kEmpty;
}

TEST(ParseChatLine, PlainTextIsSent) {
  EXPECT_EQ(As<chat_line::Send>(ParseChatLine("hello there")).text, "hello there");
  EXPECT_EQ(As<chat_line::Send>(ParseChatLine("  indented")).text, "  indented");
}

TEST(ParseChatLine, BlankLineDoesNothing) {
  As<chat_line::Nothing>(ParseChatLine(""));
  As<chat_line::Nothing>(ParseChatLine("   \t"));
}

TEST(ParseChatLine, DoubleSlashSendsOneSlash) {
  EXPECT_EQ(As<chat_line::Send>(ParseChatLine("//join is a command")).text, "/join is a command");
}

TEST(ParseChatLine, MeIsSentAsItIs) {
  EXPECT_EQ(As<chat_line::Send>(ParseChatLine("/me waves  twice")).text, "/me waves  twice");
  EXPECT_EQ(As<chat_line::Invalid>(ParseChatLine("/me")).error, "usage: /me TEXT");
  EXPECT_EQ(As<chat_line::Invalid>(ParseChatLine("/me   ")).error, "usage: /me TEXT");
  // "/meow" is not "/me".
  EXPECT_EQ(As<chat_line::Invalid>(ParseChatLine("/meow")).error,
            "unknown command /meow; /help lists the commands");
}

TEST(ParseChatLine, JoinTakesOneRoom) {
  EXPECT_EQ(As<chat_line::Join>(ParseChatLine("/join dev")).room, "dev");
  EXPECT_EQ(As<chat_line::Join>(ParseChatLine("/join   dev  ")).room, "dev");
  EXPECT_EQ(As<chat_line::Invalid>(ParseChatLine("/join")).error, "usage: /join ROOM");
  EXPECT_EQ(As<chat_line::Invalid>(ParseChatLine("/join a b")).error, "usage: /join ROOM");
}

TEST(ParseChatLine, LeaveDefaultsToCurrentRoom) {
  EXPECT_EQ(As<chat_line::Leave>(ParseChatLine("/leave")).room, "");
  EXPECT_EQ(As<chat_line::Leave>(ParseChatLine("/leave dev")).room, "dev");
  EXPECT_EQ(As<chat_line::Invalid>(ParseChatLine("/leave a b")).error, "usage: /leave [ROOM]");
}

TEST(ParseChatLine, HistoryCountIsBounded) {
  EXPECT_EQ(As<chat_line::History>(ParseChatLine("/history")).count, kDefaultHistoryCount);
  EXPECT_EQ(As<chat_line::History>(ParseChatLine("/history 5")).count, 5u);
  EXPECT_EQ(As<chat_line::History>(ParseChatLine("/history 1000")).count, kMaxHistoryCount);
  for (const char* bad : {"/history 0", "/history 1001", "/history -3", "/history five",
                          "/history 5 6", "/history 99999999999"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(As<chat_line::Invalid>(ParseChatLine(bad)).error,
              "usage: /history [N], with N from 1 to 1000");
  }
}

TEST(ParseChatLine, SimpleCommands) {
  As<chat_line::Who>(ParseChatLine("/who"));
  As<chat_line::Quit>(ParseChatLine("/quit"));
  As<chat_line::Help>(ParseChatLine("/help"));
  EXPECT_EQ(As<chat_line::Invalid>(ParseChatLine("/who me")).error, "usage: /who");
  EXPECT_EQ(As<chat_line::Invalid>(ParseChatLine("/quit now")).error, "usage: /quit");
}

TEST(ParseChatLine, UnknownOrEmptyCommandIsInvalid) {
  EXPECT_EQ(As<chat_line::Invalid>(ParseChatLine("/nick bob")).error,
            "unknown command /nick; /help lists the commands");
  EXPECT_EQ(As<chat_line::Invalid>(ParseChatLine("/ who")).error,
            "a command name must follow \"/\"; /help lists the commands");
  EXPECT_EQ(As<chat_line::Invalid>(ParseChatLine("/")).error,
            "a command name must follow \"/\"; /help lists the commands");
  // Command names are case-sensitive, like the names in /help.
  EXPECT_EQ(As<chat_line::Invalid>(ParseChatLine("/QUIT")).error,
            "unknown command /QUIT; /help lists the commands");
}

}  // namespace
}  // namespace parley::client
