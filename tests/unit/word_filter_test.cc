#include "parley/chat/word_filter.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace parley::chat {
namespace {

WordFilter MakeFilter(const std::vector<std::string>& words) {
  absl::StatusOr<WordFilter> filter = WordFilter::Create("words", words);
  EXPECT_TRUE(filter.ok()) << filter.status();
  return filter.ok() ? *std::move(filter) : WordFilter();
}

TEST(WordFilter, MatchesWholeWordsOnly) {
  WordFilter filter = MakeFilter({"darn"});
  EXPECT_TRUE(filter.Matches("darn"));
  EXPECT_TRUE(filter.Matches("oh darn!"));
  EXPECT_TRUE(filter.Matches("(darn)\nmore"));
  EXPECT_FALSE(filter.Matches("darned"));
  EXPECT_FALSE(filter.Matches("undarn"));
  EXPECT_FALSE(filter.Matches("darn2"));
  EXPECT_FALSE(filter.Matches("nothing here"));
}

TEST(WordFilter, IgnoresCase) {
  WordFilter filter = MakeFilter({"Darn", "stra\xc3\x9f" "e"});
  EXPECT_TRUE(filter.Matches("DARN it"));
  EXPECT_TRUE(filter.Matches("dArN"));
  EXPECT_TRUE(filter.Matches("the STRASSE"));
}

TEST(WordFilter, MatchesDecomposedForm) {
  // Listed composed ("café"), written with a combining acute accent.
  WordFilter filter = MakeFilter({"caf\xc3\xa9"});
  EXPECT_TRUE(filter.Matches("a cafe\xcc\x81 here"));
  EXPECT_FALSE(filter.Matches("a cafe here"));
}

TEST(WordFilter, EmptyListMatchesNothing) {
  WordFilter filter = MakeFilter({});
  EXPECT_TRUE(filter.empty());
  EXPECT_FALSE(filter.Matches("anything"));
  int masked = -1;
  EXPECT_EQ(filter.Mask("anything", &masked), "anything");
  EXPECT_EQ(masked, 0);
}

TEST(WordFilter, MasksEachLetter) {
  WordFilter filter = MakeFilter({"darn", "heck"});
  int masked = 0;
  EXPECT_EQ(filter.Mask("Darn, what the heck? darned", &masked), "****, what the ****? darned");
  EXPECT_EQ(masked, 2);
}

TEST(WordFilter, MasksMultiByteLettersWithOneStarEach) {
  WordFilter filter = MakeFilter({"caf\xc3\xa9"});
  int masked = 0;
  EXPECT_EQ(filter.Mask("CAF\xc3\x89 au lait", &masked), "**** au lait");
  EXPECT_EQ(masked, 1);
  // The combining accent is dropped rather than given a star of its own.
  EXPECT_EQ(filter.Mask("cafe\xcc\x81", &masked), "****");
}

TEST(WordFilter, RejectsEntriesThatAreNotOneWord) {
  const std::vector<std::vector<std::string>> lists = {
      {"ok", "two words"}, {"ok", "dash-ed"}, {"ok", "bang!"}};
  for (const auto& words : lists) {
    absl::StatusOr<WordFilter> filter = WordFilter::Create("moderation.words", words);
    EXPECT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument) << words[1];
    EXPECT_EQ(filter.status().message(),
              "moderation.words[1]: must be one word of letters, combining marks and digits")
        << words[1];
  }
}

TEST(WordFilter, RejectsEmptyAndInvalidEntries) {
  EXPECT_EQ(WordFilter::Create("words", {""}).status().message(), "words[0]: must not be empty");
  EXPECT_EQ(WordFilter::Create("words", {"ok", "\xff"}).status().message(),
            "words[1]: is not valid UTF-8");
}

}  // namespace
}  // namespace parley::chat
