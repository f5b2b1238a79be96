#include "parley/chat/validation.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parley::chat {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

TEST(IsValidUtf8, AcceptsWellFormed) {
  const std::vector<std::string> texts = {
      "",
      "plain ASCII",
      "caf\xc3\xa9",                // U+00E9, two bytes
      "\xe2\x82\xac",               // U+20AC, three bytes
      "\xf0\x9f\x98\x80",           // U+1F600, four bytes
      "\xc2\x80",                   // U+0080, smallest two-byte form
      "\xe0\xa0\x80",               // U+0800, smallest three-byte form
      "\xf0\x90\x80\x80",           // U+10000, smallest four-byte form
      "\xed\x9f\xbf",               // U+D7FF, just below the surrogates
      "\xee\x80\x80",               // U+E000, just above the surrogates
      "\xf4\x8f\xbf\xbf",           // U+10FFFF, the last code point
      std::string("nul\0inside", 10),
  };
  for (const std::string& text : texts) EXPECT_TRUE(IsValidUtf8(text)) << text;
}

TEST(IsValidUtf8, RejectsOverlong) {
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // '/' in two bytes
  EXPECT_FALSE(IsValidUtf8("\xc1\xbf"));          // U+007F in two bytes
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // '/' in three bytes
  EXPECT_FALSE(IsValidUtf8("\xe0\x9f\xbf"));      // U+07FF in three bytes
  EXPECT_FALSE(IsValidUtf8("\xf0\x80\x80\xaf"));  // '/' in four bytes
  EXPECT_FALSE(IsValidUtf8("\xf0\x8f\xbf\xbf"));  // U+FFFF in four bytes
}

TEST(IsValidUtf8, RejectsSurrogates) {
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // U+D800
  EXPECT_FALSE(IsValidUtf8("\xed\xbf\xbf"));  // U+DFFF
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\xbd\xed\xb8\x80"));  // a CESU-8 surrogate pair
}

TEST(IsValidUtf8, RejectsTruncated) {
  EXPECT_FALSE(IsValidUtf8("\xc3"));
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));
  EXPECT_FALSE(IsValidUtf8("\xf0\x9f\x98"));
  EXPECT_FALSE(IsValidUtf8("ok\xf0\x9f"));
  // A lead byte followed by ASCII instead of a continuation byte.
  EXPECT_FALSE(IsValidUtf8("\xc3" "a"));
  EXPECT_FALSE(IsValidUtf8("\xe2\x82" "a"));
}

TEST(IsValidUtf8, RejectsAboveMaxCodePoint) {
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xf7\xbf\xbf\xbf"));  // U+1FFFFF
  EXPECT_FALSE(IsValidUtf8("\xf8\x88\x80\x80\x80"));  // five-byte form
  EXPECT_FALSE(IsValidUtf8("\xfc\x84\x80\x80\x80\x80"));  // six-byte form
}

TEST(IsValidUtf8, RejectsStrayBytes) {
  EXPECT_FALSE(IsValidUtf8("\x80"));  // continuation byte without a lead byte
  EXPECT_FALSE(IsValidUtf8("a\xbf" "b"));
  EXPECT_FALSE(IsValidUtf8("\xfe"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
}

TEST(ValidateRoom, AcceptsAllowedCharacters) {
  Limits limits;
  EXPECT_TRUE(ValidateRoom("room", "general", limits).ok());
  EXPECT_TRUE(ValidateRoom("room", "Team-7_ops.eu", limits).ok());
  EXPECT_TRUE(ValidateRoom("room", std::string(limits.room_max_bytes, 'r'), limits).ok());
}

TEST(ValidateRoom, RejectsEmpty) {
  absl::Status status = ValidateRoom("room", "", Limits());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "room: must not be empty");
}

TEST(ValidateRoom, RejectsTooLong) {
  Limits limits;
  absl::Status status = ValidateRoom("room", std::string(limits.room_max_bytes + 1, 'r'), limits);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "room: is 65 bytes, the maximum is 64");
}

TEST(ValidateRoom, RejectsOtherCharacters) {
  const std::vector<std::string> rooms = {"two words", "a/b", "caf\xc3\xa9", "tab\there",
                                          "room!", "semi;colon", std::string("nul\0", 4)};
  for (const std::string& room : rooms) {
    absl::Status status = ValidateRoom("rooms[1]", room, Limits());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << room;
    EXPECT_EQ(Message(status),
              "rooms[1]: may contain only ASCII letters, digits, '-', '_' and '.'")
        << room;
  }
}

TEST(ValidateSender, AcceptsUnicodeName) {
  Limits limits;
  EXPECT_TRUE(ValidateSender("alice", limits).ok());
  EXPECT_TRUE(ValidateSender("Zo\xc3\xab Smith", limits).ok());
  EXPECT_TRUE(ValidateSender(std::string(limits.sender_max_bytes, 's'), limits).ok());
}

TEST(ValidateSender, RejectsEmptyAndTooLong) {
  Limits limits;
  EXPECT_EQ(Message(ValidateSender("", limits)), "sender: must not be empty");
  EXPECT_EQ(Message(ValidateSender(std::string(33, 's'), limits)),
            "sender: is 33 bytes, the maximum is 32");
}

TEST(ValidateSender, RejectsInvalidUtf8) {
  absl::Status status = ValidateSender("bob\xc0\xaf", Limits());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "sender: is not valid UTF-8");
}

TEST(ValidateSender, RejectsControlCharacters) {
  const std::vector<std::string> senders = {"bob\n", "bob\tsmith", "bob\x7f", "bob\xc2\x85",
                                            std::string("bob\0", 4)};
  for (const std::string& sender : senders) {
    absl::Status status = ValidateSender(sender, Limits());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << sender;
    EXPECT_EQ(Message(status), "sender: must not contain control characters") << sender;
  }
}

TEST(ValidateSender, RejectsSlash) {
  EXPECT_EQ(Message(ValidateSender("ops/bot", Limits())), "sender: must not contain '/'");
}

TEST(ValidateSender, RejectsEdgeSpaces) {
  EXPECT_EQ(Message(ValidateSender(" bob", Limits())),
            "sender: must not start or end with a space");
  EXPECT_EQ(Message(ValidateSender("bob ", Limits())),
            "sender: must not start or end with a space");
  EXPECT_EQ(Message(ValidateSender(" ", Limits())), "sender: must not start or end with a space");
}

TEST(ValidateText, AcceptsNewlineAndTab) {
  EXPECT_TRUE(ValidateText("line one\nline two\twith a tab", Limits()).ok());
  EXPECT_TRUE(ValidateText("emoji \xf0\x9f\x98\x80 and \xc2\xa0 no-break space", Limits()).ok());
}

TEST(ValidateText, RejectsEmptyAndTooLong) {
  Limits limits{.text_max_bytes = 10};
  EXPECT_EQ(Message(ValidateText("", limits)), "text: must not be empty");
  EXPECT_TRUE(ValidateText(std::string(10, 't'), limits).ok());
  EXPECT_EQ(Message(ValidateText(std::string(11, 't'), limits)),
            "text: is 11 bytes, the maximum is 10");
}

TEST(ValidateText, RejectsInvalidUtf8) {
  absl::Status status = ValidateText("hi \xed\xa0\x80", Limits());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "text: is not valid UTF-8");
}

TEST(ValidateText, RejectsOtherControlCharacters) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"bell\x01", "U+0001"},
      {"carriage\rreturn", "U+000D"},
      {"escape\x1b[31m", "U+001B"},
      {"delete\x7f", "U+007F"},
      {"next line \xc2\x85", "U+0085"},
      {"c1 start \xc2\x80", "U+0080"},
      {"c1 end \xc2\x9f", "U+009F"},
      {std::string("nul\0", 4), "U+0000"},
  };
  for (const auto& [text, code_point] : cases) {
    absl::Status status = ValidateText(text, Limits());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << code_point;
    EXPECT_THAT(Message(status), StartsWith("text: ")) << code_point;
    // The header fixes no case for the hex digits, so compare in lower case.
    EXPECT_EQ(absl::AsciiStrToLower(Message(status)),
              absl::AsciiStrToLower("text: contains control character " + code_point +
                                    "; only newline and tab are allowed"));
  }
}

TEST(ValidateText, AcceptsCharactersAfterC1) {
  // U+00A0 to U+00FF share the C2/C3 lead bytes with C1 but are printable.
  EXPECT_TRUE(ValidateText("\xc2\xa0\xc2\xbf\xc3\x80", Limits()).ok());
}

TEST(ValidateClientMessageId, AcceptsEmptyAndPrintable) {
  Limits limits;
  EXPECT_TRUE(ValidateClientMessageId("", limits).ok());
  EXPECT_TRUE(ValidateClientMessageId("msg-0001", limits).ok());
  EXPECT_TRUE(ValidateClientMessageId("!~{}[]/:@", limits).ok());
  EXPECT_TRUE(ValidateClientMessageId(std::string(128, 'i'), limits).ok());
}

TEST(ValidateClientMessageId, RejectsTooLong) {
  absl::Status status = ValidateClientMessageId(std::string(129, 'i'), Limits());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "client_message_id: is 129 bytes, the maximum is 128");
}

TEST(ValidateClientMessageId, RejectsSpacesAndNonAscii) {
  const std::vector<std::string> ids = {"has space", "tab\t", "caf\xc3\xa9", "del\x7f",
                                        std::string("nul\0", 4)};
  for (const std::string& id : ids) {
    absl::Status status = ValidateClientMessageId(id, Limits());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << id;
    EXPECT_THAT(Message(status), HasSubstr("may contain only printable ASCII without spaces"))
        << id;
    EXPECT_THAT(Message(status), StartsWith("client_message_id: ")) << id;
  }
}

}  // namespace
}  // namespace parley::chat
