#include "intake_stage.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "parley/base/mutex.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parley::intake {
namespace {

using ::testing::ElementsAre;
using ::testing::StartsWith;

// A Hop that records what it is given and keeps each callback, so the test
// decides every outcome.
class RecordingHop : public pipeline::Hop {
 public:
  struct Sent {
    pipeline::Item item;
    absl::Time deadline;
  };

  void Send(pipeline::Item item, absl::Time deadline, pipeline::OutcomeCallback done) override {
    sent_.push_back(Sent{std::move(item), deadline});
    callbacks_.push_back(std::move(done));
  }

  void Cancel(const std::string& message_id) override { cancelled_.push_back(message_id); }

  // Runs the callback of the `index`-th item with `result`.
  void Finish(size_t index, pipeline::Result result) {
    ASSERT_LT(index, callbacks_.size());
    callbacks_[index](std::move(result));
  }

  const std::vector<Sent>& sent() const { return sent_; }
  const std::vector<std::string>& cancelled() const { return cancelled_; }

 private:
  std::vector<Sent> sent_;
  std::vector<pipeline::OutcomeCallback> callbacks_;
  std::vector<std::string> cancelled_;
};

v1::SendRequest MakeRequest(const std::string& room, const std::string& sender,
                            const std::string& text, const std::string& client_message_id) {
  v1::SendRequest request;
  request.set_room(room);
  request.set_sender(sender);
  request.set_text(text);
  request.set_client_message_id(client_message_id);
  return request;
}

// The reply of one Send, filled in by its callback.
struct Reply {
  std::optional<absl::StatusOr<v1::SendResponse>> response;
  int calls = 0;
};

SendCallback Into(Reply& reply) {
  return [&reply](absl::StatusOr<v1::SendResponse> response) {
    reply.response = std::move(response);
    ++reply.calls;
  };
}

TEST(IntakeStage, InvalidNeverReachesHop) {
  struct Case {
    v1::SendRequest request;
    std::string field;
  };
  const std::vector<Case> cases = {
      {MakeRequest("", "alice", "hi", "m1"), "room: "},
      {MakeRequest("no spaces", "alice", "hi", "m1"), "room: "},
      {MakeRequest("lobby", "", "hi", "m1"), "sender: "},
      {MakeRequest("lobby", "ops/bot", "hi", "m1"), "sender: "},
      {MakeRequest("lobby", "alice", "", "m1"), "text: "},
      {MakeRequest("lobby", "alice", "bell\x07", "m1"), "text: "},
      {MakeRequest("lobby", "alice", "bad \xc3\x28", "m1"), "text: "},
      {MakeRequest("lobby", "alice", "hi", "has space"), "client_message_id: "},
  };
  RecordingHop hop;
  IntakeStage stage(chat::Limits(), hop);
  for (const Case& test_case : cases) {
    Reply reply;
    stage.Send(test_case.request, IntakeStage::MessageId(test_case.request),
               absl::InfiniteFuture(), "trace", Into(reply));
    ASSERT_EQ(reply.calls, 1) << test_case.field;
    ASSERT_TRUE(reply.response.has_value());
    EXPECT_EQ(reply.response->status().code(), absl::StatusCode::kInvalidArgument)
        << test_case.field;
    EXPECT_THAT(std::string(reply.response->status().message()), StartsWith(test_case.field));
  }
  EXPECT_TRUE(hop.sent().empty());
}

TEST(IntakeStage, LimitsApply) {
  RecordingHop hop;
  IntakeStage stage(chat::Limits{.text_max_bytes = 5}, hop);
  Reply reply;
  stage.Send(MakeRequest("lobby", "alice", "123456", ""), "~id", absl::InfiniteFuture(), "",
             Into(reply));
  ASSERT_TRUE(reply.response.has_value());
  EXPECT_EQ(reply.response->status().message(), "text: is 6 bytes, the maximum is 5");
  EXPECT_TRUE(hop.sent().empty());
}

TEST(IntakeStage, ForwardsValidSubmission) {
  RecordingHop hop;
  IntakeStage stage(chat::Limits(), hop);
  const absl::Time deadline = absl::FromUnixSeconds(1'800'000'000);
  Reply reply;
  stage.Send(MakeRequest("lobby", "alice", "hello\nworld", "m1"), "alice/m1", deadline,
             "trace-7", Into(reply));

  ASSERT_EQ(hop.sent().size(), 1u);
  EXPECT_EQ(reply.calls, 0) << "the reply waits for the commit";
  const pipeline::Item& item = hop.sent()[0].item;
  EXPECT_EQ(item.metadata().message_id(), "alice/m1");
  EXPECT_EQ(item.metadata().trace_id(), "trace-7");
  EXPECT_FALSE(item.metadata().has_budget_micros()) << "the hop sets the budget when it writes";
  ASSERT_TRUE(item.has_submission());
  EXPECT_EQ(item.submission().room(), "lobby");
  EXPECT_EQ(item.submission().sender(), "alice");
  EXPECT_EQ(item.submission().text(), "hello\nworld");
  EXPECT_EQ(hop.sent()[0].deadline, deadline);

  pipeline::Commit commit;
  commit.set_room("lobby");
  commit.set_sequence(17);
  commit.mutable_commit_time()->set_seconds(1'700'000'000);
  hop.Finish(0, commit);

  ASSERT_EQ(reply.calls, 1);
  ASSERT_TRUE(reply.response->ok()) << reply.response->status();
  EXPECT_EQ((*reply.response)->room(), "lobby");
  EXPECT_EQ((*reply.response)->sequence(), 17u);
  EXPECT_EQ((*reply.response)->commit_time().seconds(), 1'700'000'000);
  EXPECT_EQ((*reply.response)->message_id(), "alice/m1");
}

TEST(IntakeStage, DownstreamErrorPassesThrough) {
  RecordingHop hop;
  IntakeStage stage(chat::Limits(), hop);
  Reply reply;
  stage.Send(MakeRequest("lobby", "alice", "hi", ""), "~x", absl::InfiniteFuture(), "",
             Into(reply));
  hop.Finish(0, absl::DeadlineExceededError("deadline exceeded before commit"));

  ASSERT_EQ(reply.calls, 1);
  EXPECT_EQ(reply.response->status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(reply.response->status().message(), "deadline exceeded before commit");
}

TEST(IntakeStage, CancelReachesHop) {
  RecordingHop hop;
  IntakeStage stage(chat::Limits(), hop);
  stage.Cancel("alice/m1");
  EXPECT_THAT(hop.cancelled(), ElementsAre("alice/m1"));
}

TEST(IntakeStage, MessageIdFromClientId) {
  EXPECT_EQ(IntakeStage::MessageId(MakeRequest("lobby", "alice", "hi", "m-1")), "alice/m-1");
  // The room is not part of the id, so a retry is the same message in any
  // room.
  EXPECT_EQ(IntakeStage::MessageId(MakeRequest("other", "alice", "hi", "m-1")), "alice/m-1");
  EXPECT_NE(IntakeStage::MessageId(MakeRequest("lobby", "bob", "hi", "m-1")),
            IntakeStage::MessageId(MakeRequest("lobby", "alice", "hi", "m-1")));
}

TEST(IntakeStage, MessageIdRandomWithoutClientId) {
  v1::SendRequest request = MakeRequest("lobby", "alice", "hi", "");
  std::string first = IntakeStage::MessageId(request);
  std::string second = IntakeStage::MessageId(request);
  EXPECT_THAT(first, StartsWith("~"));
  EXPECT_EQ(first.size(), 33u);
  EXPECT_NE(first, second);
}

// "Zoë" with U+00EB, and with "e" followed by U+0308 COMBINING DIAERESIS.
constexpr char kComposedZoe[] = "Zo\xc3\xab";
constexpr char kDecomposedZoe[] = "Zoe\xcc\x88";

TEST(IntakeStage, ForwardsNfcSenderAndText) {
  RecordingHop hop;
  IntakeStage stage(chat::Limits(), hop);
  Reply reply;
  stage.Send(MakeRequest("lobby", kDecomposedZoe, std::string("hi ") + kDecomposedZoe, "m1"),
             "id", absl::InfiniteFuture(), "", Into(reply));

  ASSERT_EQ(hop.sent().size(), 1u);
  EXPECT_EQ(hop.sent()[0].item.submission().sender(), kComposedZoe);
  EXPECT_EQ(hop.sent()[0].item.submission().text(), std::string("hi ") + kComposedZoe);
}

TEST(IntakeStage, MessageIdUsesNfcSender) {
  EXPECT_EQ(IntakeStage::MessageId(MakeRequest("lobby", kDecomposedZoe, "hi", "m-1")),
            IntakeStage::MessageId(MakeRequest("lobby", kComposedZoe, "hi", "m-1")));
  EXPECT_EQ(IntakeStage::MessageId(MakeRequest("lobby", kDecomposedZoe, "hi", "m-1")),
            std::string(kComposedZoe) + "/m-1");
}

TEST(IntakeStage, LimitsApplyToNfcForm) {
  // "Zoë" is 5 bytes decomposed and 4 bytes composed.
  RecordingHop hop;
  IntakeStage stage(chat::Limits{.sender_max_bytes = 4, .text_max_bytes = 4}, hop);
  Reply accepted;
  stage.Send(MakeRequest("lobby", kDecomposedZoe, kDecomposedZoe, ""), "~a",
             absl::InfiniteFuture(), "", Into(accepted));
  EXPECT_EQ(accepted.calls, 0) << "the reply waits for the commit";
  EXPECT_EQ(hop.sent().size(), 1u);

  Reply rejected;
  stage.Send(MakeRequest("lobby", "ann", std::string(kComposedZoe) + "!", ""), "~b",
             absl::InfiniteFuture(), "", Into(rejected));
  ASSERT_EQ(rejected.calls, 1);
  EXPECT_EQ(rejected.response->status().message(), "text: is 5 bytes, the maximum is 4");
}

TEST(IntakeStage, RejectsInvalidUtf8Sender) {
  RecordingHop hop;
  IntakeStage stage(chat::Limits(), hop);
  Reply reply;
  stage.Send(MakeRequest("lobby", "bob\xc0\xaf", "hi", ""), "~a", absl::InfiniteFuture(), "",
             Into(reply));
  ASSERT_EQ(reply.calls, 1);
  EXPECT_EQ(reply.response->status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(reply.response->status().message(), "sender: is not valid UTF-8");
  EXPECT_TRUE(hop.sent().empty());
}

TEST(IntakeStage, RateLimitKeysOnNfcSender) {
  RecordingHop hop;
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  RateLimiter limiter({.messages_per_second = 1, .burst = 1}, [&now] { return now; });
  IntakeStage stage(chat::Limits(), hop, &limiter);

  Reply first;
  stage.Send(MakeRequest("lobby", kComposedZoe, "hi", ""), "~a", absl::InfiniteFuture(), "",
             Into(first));
  EXPECT_EQ(first.calls, 0) << "the reply waits for the commit";
  Reply second;
  stage.Send(MakeRequest("lobby", kDecomposedZoe, "hi", ""), "~b", absl::InfiniteFuture(), "",
             Into(second));

  ASSERT_EQ(second.calls, 1);
  EXPECT_EQ(second.response->status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(second.response->status().message(),
            std::string("sender \"") + kComposedZoe +
                "\" exceeded 1 message per second (burst 1); retry in 1000ms");
  EXPECT_EQ(hop.sent().size(), 1u);
}

}  // namespace
}  // namespace parley::intake
