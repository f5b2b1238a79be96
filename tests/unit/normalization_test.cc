#include "parley/chat/normalization.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace parley::chat {
namespace {

// "Zoë" with U+00EB, and with "e" followed by U+0308 COMBINING DIAERESIS.
constexpr char kComposed[] = "Zo\xc3\xab";
constexpr char kDecomposed[] = "Zoe\xcc\x88";

TEST(ToNfc, ComposesDecomposedName) {
  absl::StatusOr<std::string> nfc = ToNfc("sender", kDecomposed);
  ASSERT_TRUE(nfc.ok()) << nfc.status();
  EXPECT_EQ(*nfc, kComposed);
}

TEST(ToNfc, KeepsComposedAndAsciiText) {
  EXPECT_EQ(*ToNfc("sender", kComposed), kComposed);
  EXPECT_EQ(*ToNfc("text", "plain text\nwith a tab\t"), "plain text\nwith a tab\t");
  EXPECT_EQ(*ToNfc("text", ""), "");
}

TEST(ToNfc, ComposesHangulJamo) {
  // U+1100 U+1161 U+11A8 compose to the syllable U+AC01.
  EXPECT_EQ(*ToNfc("text", "\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8"), "\xea\xb0\x81");
}

TEST(ToNfc, KeepsCompatibilityCharacters) {
  // NFC, unlike NFKC, leaves the "fi" ligature U+FB01 alone.
  EXPECT_EQ(*ToNfc("text", "\xef\xac\x81"), "\xef\xac\x81");
}

TEST(ToNfc, KeepsEmbeddedNul) {
  const std::string text("a\0b", 3);
  EXPECT_EQ(*ToNfc("text", text), text);
}

TEST(ToNfc, RejectsInvalidUtf8) {
  absl::StatusOr<std::string> nfc = ToNfc("sender", "bob\xc0\xaf");
  EXPECT_EQ(nfc.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(nfc.status().message(), "sender: is not valid UTF-8");
}

TEST(CaseFold, FoldsAsciiAndUnicode) {
  EXPECT_EQ(*CaseFold("word", "DaRn"), "darn");
  EXPECT_EQ(*CaseFold("word", "Stra\xc3\x9f" "e"), "strasse");
  EXPECT_EQ(*CaseFold("word", "STRASSE"), "strasse");
  EXPECT_EQ(*CaseFold("word", "ZOE\xcc\x88"), "zo\xc3\xab");
}

}  // namespace
}  // namespace parley::chat
