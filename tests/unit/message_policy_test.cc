#include "message_policy.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace parley::processor {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

internal::v1::Submission MakeSubmission(const std::string& sender, const std::string& text) {
  internal::v1::Submission submission;
  submission.set_room("lobby");
  submission.set_sender(sender);
  submission.set_text(text);
  return submission;
}

class MessagePolicyTest : public ::testing::Test {
 protected:
  MessagePolicy MakePolicy(ModerationAction action, const std::vector<std::string>& words) {
    absl::StatusOr<chat::WordFilter> filter = chat::WordFilter::Create("words", words);
    EXPECT_TRUE(filter.ok()) << filter.status();
    return MessagePolicy({.action = action, .words = filter.ok() ? *filter : chat::WordFilter()},
                         {malformed_, rejected_, masked_});
  }

  prometheus::Registry registry_;
  prometheus::Family<prometheus::Counter>& family_ =
      prometheus::BuildCounter().Name("test_total").Register(registry_);
  prometheus::Counter& malformed_ = family_.Add({{"kind", "malformed"}});
  prometheus::Counter& rejected_ = family_.Add({{"kind", "rejected"}});
  prometheus::Counter& masked_ = family_.Add({{"kind", "masked"}});
};

TEST_F(MessagePolicyTest, PlainTextUnchanged) {
  MessagePolicy policy = MakePolicy(ModerationAction::kOff, {});
  absl::StatusOr<PolicyResult> result = policy.Apply(MakeSubmission("ann", "hello\tthere\n"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->sender, "ann");
  EXPECT_EQ(result->text, "hello\tthere\n");
  EXPECT_EQ(result->kind, v1::ChatMessage::KIND_TEXT);
}

TEST_F(MessagePolicyTest, NormalizesSenderAndText) {
  MessagePolicy policy = MakePolicy(ModerationAction::kOff, {});
  absl::StatusOr<PolicyResult> result =
      policy.Apply(MakeSubmission("Zoe\xcc\x88", "cafe\xcc\x81"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->sender, "Zo\xc3\xab");
  EXPECT_EQ(result->text, "caf\xc3\xa9");
}

TEST_F(MessagePolicyTest, MeBecomesAction) {
  MessagePolicy policy = MakePolicy(ModerationAction::kOff, {});
  absl::StatusOr<PolicyResult> result = policy.Apply(MakeSubmission("ann", "/me waves"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->kind, v1::ChatMessage::KIND_ACTION);
  EXPECT_EQ(result->text, "waves");

  result = policy.Apply(MakeSubmission("ann", "/me\t  waves twice"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->kind, v1::ChatMessage::KIND_ACTION);
  EXPECT_EQ(result->text, "waves twice");
}

TEST_F(MessagePolicyTest, EmptyMeRejected) {
  MessagePolicy policy = MakePolicy(ModerationAction::kOff, {});
  for (const std::string text : {"/me", "/me ", "/me \t\n "}) {
    absl::StatusOr<PolicyResult> result = policy.Apply(MakeSubmission("ann", text));
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(result.status().message(),
              "text: \"/me\" needs an action after it, for example \"/me waves\"")
        << text;
  }
  EXPECT_EQ(malformed_.Value(), 3);
}

TEST_F(MessagePolicyTest, MeWithoutSpaceIsPlainText) {
  MessagePolicy policy = MakePolicy(ModerationAction::kOff, {});
  for (const std::string text : {"/mean", "/me2", " /me waves", "say /me waves"}) {
    absl::StatusOr<PolicyResult> result = policy.Apply(MakeSubmission("ann", text));
    ASSERT_TRUE(result.ok()) << text << ": " << result.status();
    EXPECT_EQ(result->kind, v1::ChatMessage::KIND_TEXT) << text;
    EXPECT_EQ(result->text, text);
  }
}

TEST_F(MessagePolicyTest, InvalidUtf8Rejected) {
  MessagePolicy policy = MakePolicy(ModerationAction::kOff, {});
  absl::StatusOr<PolicyResult> result = policy.Apply(MakeSubmission("ann", "bad \xc3\x28"));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "text: is not valid UTF-8");
  result = policy.Apply(MakeSubmission("\xff", "fine"));
  EXPECT_EQ(result.status().message(), "sender: is not valid UTF-8");
  EXPECT_EQ(malformed_.Value(), 2);
}

TEST_F(MessagePolicyTest, RejectsListedWord) {
  MessagePolicy policy = MakePolicy(ModerationAction::kReject, {"darn"});
  absl::StatusOr<PolicyResult> result = policy.Apply(MakeSubmission("ann", "oh DARN it"));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "text: contains a word on this server's moderation list; reword the message");
  EXPECT_THAT(std::string(result.status().message()), Not(HasSubstr("darn")));
  EXPECT_EQ(rejected_.Value(), 1);

  ASSERT_TRUE(policy.Apply(MakeSubmission("ann", "darned socks")).ok());
  EXPECT_EQ(rejected_.Value(), 1);
}

TEST_F(MessagePolicyTest, RejectsListedWordInAction) {
  MessagePolicy policy = MakePolicy(ModerationAction::kReject, {"darn"});
  absl::StatusOr<PolicyResult> result = policy.Apply(MakeSubmission("ann", "/me says darn"));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(MessagePolicyTest, MasksListedWord) {
  MessagePolicy policy = MakePolicy(ModerationAction::kMask, {"darn", "caf\xc3\xa9"});
  absl::StatusOr<PolicyResult> result =
      policy.Apply(MakeSubmission("ann", "/me says Darn at the cafe\xcc\x81"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->kind, v1::ChatMessage::KIND_ACTION);
  EXPECT_EQ(result->text, "says **** at the ****");
  EXPECT_EQ(masked_.Value(), 1) << "one submission, counted once";
}

TEST_F(MessagePolicyTest, OffIgnoresList) {
  MessagePolicy policy = MakePolicy(ModerationAction::kOff, {"darn"});
  absl::StatusOr<PolicyResult> result = policy.Apply(MakeSubmission("ann", "darn"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->text, "darn");
  EXPECT_EQ(rejected_.Value(), 0);
  EXPECT_EQ(masked_.Value(), 0);
}

}  // namespace
}  // namespace parley::processor
