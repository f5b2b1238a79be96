// ProcessorStage wired to a Fanout through in-process hops, the way the
// services connect them over gRPC: intake's hop -> processor -> broadcaster.

#include "processor_stage.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "parley/base/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broadcaster_metrics.h"
#include "fanout.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "outcome_recorder.h"
#include "parley/base/cancellation.h"
#include "parley/pipeline/in_process_hop.h"
#include "processor_metrics.h"
#include "prometheus/registry.h"
#include "subscriber_queue.h"

namespace parley::processor {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using unit_test::kWaitLimit;
using unit_test::OutcomeRecorder;

pipeline::Item MakeSubmission(const std::string& message_id, const std::string& room,
                              const std::string& text) {
  pipeline::Item item;
  item.mutable_metadata()->set_message_id(message_id);
  item.mutable_submission()->set_room(room);
  item.mutable_submission()->set_sender("alice");
  item.mutable_submission()->set_text(text);
  return item;
}

// A Hop to `next` that the test can close: while closed it keeps every
// item, like a broadcaster that has not accepted a commit yet.
class GatedHop : public pipeline::Hop {
 public:
  explicit GatedHop(pipeline::Hop& next) : next_(next) {}

  void Send(pipeline::Item item, absl::Time deadline, pipeline::OutcomeCallback done) override {
    {
      parley::MutexLock lock(&mu_);
      if (!open_) {
        waiting_.push_back(Waiting{std::move(item), deadline, std::move(done)});
        return;
      }
    }
    next_.Send(std::move(item), deadline, std::move(done));
  }

  void Cancel(const std::string& message_id) override { next_.Cancel(message_id); }

  // Waits until `count` items are kept.
  bool WaitForItems(size_t count) {
    parley::MutexLock lock(&mu_);
    auto enough = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return waiting_.size() >= count;
    };
    return mu_.AwaitWithTimeout(enough, kWaitLimit);
  }

  // Keeps items from now on.
  void Close() {
    parley::MutexLock lock(&mu_);
    open_ = false;
  }

  // Forwards the kept items and every later one.
  void Open() {
    std::vector<Waiting> waiting;
    {
      parley::MutexLock lock(&mu_);
      open_ = true;
      waiting.swap(waiting_);
    }
    for (Waiting& item : waiting) {
      next_.Send(std::move(item.item), item.deadline, std::move(item.done));
    }
  }

 private:
  struct Waiting {
    pipeline::Item item;
    absl::Time deadline;
    pipeline::OutcomeCallback done;
  };

  pipeline::Hop& next_;
  parley::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = true;
  std::vector<Waiting> waiting_ ABSL_GUARDED_BY(mu_);
};

internal::v1::RoomState MakeRoomState(const std::string& room, uint64_t last_sequence) {
  internal::v1::RoomState state;
  state.set_room(room);
  state.set_last_sequence(last_sequence);
  return state;
}

void AddRecent(internal::v1::RoomState& state, const std::string& message_id,
               uint64_t sequence) {
  v1::ChatMessage* recent = state.add_recent();
  recent->set_room(state.room());
  recent->set_sequence(sequence);
  recent->set_sender("alice");
  recent->set_text("committed before the restart");
  recent->set_message_id(message_id);
}

class ProcessorStageTest : public ::testing::Test {
 protected:
  void TearDown() override {
    // Submissions stop first, then the commit thread. The hop to the fanout
    // drains last, because its callbacks still reach the stage.
    submit_hop_.reset();
    if (stage_ != nullptr) stage_->Stop();
    gate_.Open();
    fanout_hop_.reset();
    stage_.reset();
  }

  void StartStage(ProcessorOptions options = {}) {
    stage_ = std::make_unique<ProcessorStage>(options, gate_, processor_metrics_);
    stage_->Start();
    submit_hop_ = std::make_unique<pipeline::InProcessHop>(*stage_, 64);
  }

  std::shared_ptr<broadcaster::SubscriberQueue> Subscribe(std::vector<std::string> rooms) {
    auto queue = std::make_shared<broadcaster::SubscriberQueue>(
        ++subscriber_ids_, std::move(rooms), absl::flat_hash_map<std::string, uint64_t>(),
        broadcaster::QueueLimits{.max_messages = 1000});
    fanout_.Subscribe(queue);
    return queue;
  }

  void Submit(const std::string& message_id, const std::string& room, const std::string& text,
              absl::Time deadline = absl::InfiniteFuture()) {
    submit_hop_->Send(MakeSubmission(message_id, room, text), deadline,
                      outcomes_.Callback(message_id));
  }

  // Waits for the commit of `key` and returns its sequence, 0 on failure.
  uint64_t CommittedSequence(const std::string& key) {
    std::optional<pipeline::Result> result = outcomes_.Wait(key);
    EXPECT_TRUE(result.has_value()) << key << " got no outcome";
    if (!result.has_value()) return 0;
    EXPECT_TRUE(result->ok()) << key << ": " << result->status();
    return result->ok() ? result->value().sequence() : 0;
  }

  // Returns the "room#sequence text" of every queued message event.
  static std::vector<std::string> Received(broadcaster::SubscriberQueue& queue) {
    std::vector<std::string> received;
    while (broadcaster::EventPtr event = queue.Pop().event) {
      const v1::ChatMessage& message = event->message();
      received.push_back(
          absl::StrCat(message.room(), "#", message.sequence(), " ", message.text()));
    }
    return received;
  }

  prometheus::Registry registry_;
  ProcessorMetrics processor_metrics_{registry_};
  broadcaster::BroadcasterMetrics broadcaster_metrics_{registry_};
  broadcaster::Fanout fanout_{100, broadcaster_metrics_};
  std::unique_ptr<pipeline::InProcessHop> fanout_hop_ =
      std::make_unique<pipeline::InProcessHop>(fanout_, 64);
  GatedHop gate_{*fanout_hop_};
  OutcomeRecorder outcomes_;
  // The process-wide cancellation, for the tests that use one. The stage
  // subscribes to it, so it must outlive the stage.
  CancellationSource shutdown_;
  std::unique_ptr<ProcessorStage> stage_;
  std::unique_ptr<pipeline::InProcessHop> submit_hop_;
  uint64_t subscriber_ids_ = 0;
};

TEST_F(ProcessorStageTest, NumbersRoomsInArrivalOrder) {
  StartStage();
  auto room_a = Subscribe({"a"});
  auto both = Subscribe({"a", "b"});

  Submit("m1", "a", "a-one");
  Submit("m2", "b", "b-one");
  Submit("m3", "a", "a-two");
  Submit("m4", "a", "a-three");
  Submit("m5", "b", "b-two");

  EXPECT_EQ(CommittedSequence("m1"), 1u);
  EXPECT_EQ(CommittedSequence("m2"), 1u);
  EXPECT_EQ(CommittedSequence("m3"), 2u);
  EXPECT_EQ(CommittedSequence("m4"), 3u);
  EXPECT_EQ(CommittedSequence("m5"), 2u);
  EXPECT_EQ(outcomes_.Wait("m2")->value().room(), "b");

  // A commit's outcome arrives after the fanout accepted it, so every
  // message is queued by now.
  EXPECT_THAT(Received(*room_a), ElementsAre("a#1 a-one", "a#2 a-two", "a#3 a-three"));
  EXPECT_THAT(Received(*both), ElementsAre("a#1 a-one", "b#1 b-one", "a#2 a-two",
                                           "a#3 a-three", "b#2 b-two"));
  EXPECT_EQ(processor_metrics_.committed.Value(), 5);
}

TEST_F(ProcessorStageTest, DuplicateGetsSameCommit) {
  StartStage();
  auto queue = Subscribe({"a"});
  Submit("alice/1", "a", "once");
  ASSERT_EQ(CommittedSequence("alice/1"), 1u);

  submit_hop_->Send(MakeSubmission("alice/1", "a", "once"), absl::InfiniteFuture(),
                    outcomes_.Callback("retry"));
  EXPECT_EQ(CommittedSequence("retry"), 1u);
  EXPECT_EQ(outcomes_.Wait("retry")->value().commit_time().seconds(),
            outcomes_.Wait("alice/1")->value().commit_time().seconds());
  EXPECT_EQ(outcomes_.Wait("retry")->value().commit_time().nanos(),
            outcomes_.Wait("alice/1")->value().commit_time().nanos());

  Submit("alice/2", "a", "next");
  EXPECT_EQ(CommittedSequence("alice/2"), 2u);
  EXPECT_THAT(Received(*queue), ElementsAre("a#1 once", "a#2 next"));
  EXPECT_EQ(processor_metrics_.duplicates.Value(), 1);
}

TEST_F(ProcessorStageTest, DuplicateInFlightJoins) {
  gate_.Close();
  StartStage();
  auto queue = Subscribe({"a"});
  Submit("alice/1", "a", "once");
  // Committed and on its way to the fanout, which has not accepted it.
  ASSERT_TRUE(gate_.WaitForItems(1));

  stage_->Handle(MakeSubmission("alice/1", "a", "once"), absl::InfiniteFuture(),
                 outcomes_.Callback("retry"));
  EXPECT_EQ(outcomes_.Count("retry"), 0u) << "the copy must wait for the original";

  gate_.Open();
  EXPECT_EQ(CommittedSequence("alice/1"), 1u);
  EXPECT_EQ(CommittedSequence("retry"), 1u);
  EXPECT_THAT(Received(*queue), ElementsAre("a#1 once"));
  EXPECT_EQ(processor_metrics_.committed.Value(), 1);
}

TEST_F(ProcessorStageTest, ExpiredIsNeverDelivered) {
  StartStage();
  auto queue = Subscribe({"a"});
  Submit("late", "a", "too late", absl::Now() - absl::Seconds(1));
  Submit("ok", "a", "in time", absl::Now() + absl::Minutes(1));

  std::optional<pipeline::Result> late = outcomes_.Wait("late");
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->status().code(), absl::StatusCode::kDeadlineExceeded);
  // The expired item took no sequence number.
  EXPECT_EQ(CommittedSequence("ok"), 1u);
  EXPECT_THAT(Received(*queue), ElementsAre("a#1 in time"));
  EXPECT_EQ(processor_metrics_.dropped_expired.Value(), 1);
}

TEST_F(ProcessorStageTest, CancelBeforeCommit) {
  StartStage(ProcessorOptions{.commit_delay = kWaitLimit * 2});
  auto queue = Subscribe({"a"});
  // Handle admits the item before it returns, so the cancellation finds it.
  stage_->Handle(MakeSubmission("slow", "a", "withdrawn"), absl::InfiniteFuture(),
                 outcomes_.Callback("slow"));
  submit_hop_->Cancel("slow");

  std::optional<pipeline::Result> result = outcomes_.Wait("slow");
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(Received(*queue).empty());
  EXPECT_EQ(processor_metrics_.dropped_cancelled.Value(), 1);
  EXPECT_EQ(processor_metrics_.committed.Value(), 0);
}

TEST_F(ProcessorStageTest, ExpiresDuringCommitDelay) {
  StartStage(ProcessorOptions{.commit_delay = kWaitLimit * 2});
  auto queue = Subscribe({"a"});
  stage_->Handle(MakeSubmission("slow", "a", "expires"), absl::Now() + absl::Milliseconds(50),
                 outcomes_.Callback("slow"));

  std::optional<pipeline::Result> result = outcomes_.Wait("slow");
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(Received(*queue).empty());
}

TEST_F(ProcessorStageTest, RejectsMalformedItem) {
  StartStage();
  pipeline::Item no_id = MakeSubmission("", "a", "text");
  pipeline::Item no_submission;
  no_submission.mutable_metadata()->set_message_id("m");
  submit_hop_->Send(std::move(no_id), absl::InfiniteFuture(), outcomes_.Callback("no-id"));
  submit_hop_->Send(std::move(no_submission), absl::InfiniteFuture(),
                    outcomes_.Callback("no-submission"));

  for (const std::string key : {"no-id", "no-submission"}) {
    std::optional<pipeline::Result> result = outcomes_.Wait(key);
    ASSERT_TRUE(result.has_value()) << key;
    EXPECT_EQ(result->status().code(), absl::StatusCode::kInvalidArgument) << key;
  }
  EXPECT_EQ(processor_metrics_.rejected.Value(), 2);
}

TEST_F(ProcessorStageTest, CommitsMeAsAction) {
  StartStage();
  auto queue = Subscribe({"a"});
  Submit("m1", "a", "/me waves");
  ASSERT_EQ(CommittedSequence("m1"), 1u);

  broadcaster::EventPtr event = queue->Pop().event;
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(event->message().kind(), v1::ChatMessage::KIND_ACTION);
  EXPECT_EQ(event->message().text(), "waves");
}

TEST_F(ProcessorStageTest, ModerationRejectionIsOutcome) {
  absl::StatusOr<chat::WordFilter> words = chat::WordFilter::Create("words", {"darn"});
  ASSERT_TRUE(words.ok()) << words.status();
  StartStage(ProcessorOptions{
      .moderation = {.action = ModerationAction::kReject, .words = *std::move(words)}});
  auto queue = Subscribe({"a"});

  Submit("alice/1", "a", "oh darn");
  std::optional<pipeline::Result> rejected = outcomes_.Wait("alice/1");
  ASSERT_TRUE(rejected.has_value());
  EXPECT_EQ(rejected->status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(rejected->status().message()), StartsWith("text: "));
  EXPECT_THAT(std::string(rejected->status().message()), Not(HasSubstr("darn")));

  // A rejected id is not remembered: the reworded retry commits.
  submit_hop_->Send(MakeSubmission("alice/1", "a", "oh dear"), absl::InfiniteFuture(),
                    outcomes_.Callback("retry"));
  EXPECT_EQ(CommittedSequence("retry"), 1u);
  EXPECT_THAT(Received(*queue), ElementsAre("a#1 oh dear"));
  EXPECT_EQ(processor_metrics_.moderation_rejected.Value(), 1);
  EXPECT_EQ(processor_metrics_.committed.Value(), 1);
}

TEST_F(ProcessorStageTest, RecoverContinuesNumbering) {
  internal::v1::RoomState room_a = MakeRoomState("a", 5);
  AddRecent(room_a, "alice/1", 5);
  internal::v1::RoomState room_b = MakeRoomState("b", 2);
  StartStage(ProcessorOptions{.recover = [room_a, room_b] {
    return absl::StatusOr<std::vector<internal::v1::RoomState>>({room_a, room_b});
  }});
  auto queue = Subscribe({"a", "b", "c"});

  Submit("new-a", "a", "six");
  // The first commit comes after recovery, so alice/1 is known from here on.
  EXPECT_EQ(CommittedSequence("new-a"), 6u);
  Submit("alice/1", "a", "remembered");
  Submit("new-b", "b", "three");
  Submit("new-c", "c", "one");

  EXPECT_EQ(CommittedSequence("alice/1"), 5u);
  EXPECT_EQ(CommittedSequence("new-b"), 3u);
  EXPECT_EQ(CommittedSequence("new-c"), 1u);
  EXPECT_THAT(Received(*queue), ElementsAre("a#6 six", "b#3 three", "c#1 one"));
}

TEST_F(ProcessorStageTest, RecoverRetriesUntilSuccess) {
  int attempts = 0;
  StartStage(ProcessorOptions{
      .recover =
          [&attempts]() -> absl::StatusOr<std::vector<internal::v1::RoomState>> {
        // Runs on the commit thread only.
        if (++attempts < 3) return absl::UnavailableError("broadcaster is down");
        return std::vector<internal::v1::RoomState>{MakeRoomState("a", 10)};
      },
      .recover_backoff = BackoffPolicy{.initial = absl::Milliseconds(1),
                                       .max = absl::Milliseconds(5)},
  });
  Submit("m", "a", "eleven");
  EXPECT_EQ(CommittedSequence("m"), 11u);
  EXPECT_EQ(attempts, 3);
}

// A restarted processor serves intake before recovery is done, and intake
// resends at once what it has no outcome for. Such a retry of a message the
// old processor committed must get its original commit, not a second one.
TEST_F(ProcessorStageTest, RetryDuringRecoveryGetsRememberedCommit) {
  internal::v1::RoomState room_a = MakeRoomState("a", 5);
  AddRecent(room_a, "alice/1", 5);
  parley::Notification recovery_may_finish;
  StartStage(ProcessorOptions{
      .recover = [&recovery_may_finish,
                  room_a]() -> absl::StatusOr<std::vector<internal::v1::RoomState>> {
        recovery_may_finish.WaitForNotificationWithTimeout(kWaitLimit);
        return std::vector<internal::v1::RoomState>{room_a};
      },
  });
  auto queue = Subscribe({"a"});

  stage_->Handle(MakeSubmission("alice/1", "a", "remembered"), absl::InfiniteFuture(),
                 outcomes_.Callback("alice/1"));
  recovery_may_finish.Notify();

  EXPECT_EQ(CommittedSequence("alice/1"), 5u);
  EXPECT_TRUE(Received(*queue).empty()) << "the fanout got the message a second time";
}

TEST_F(ProcessorStageTest, ShutdownDropsUncommitted) {
  stage_ = std::make_unique<ProcessorStage>(ProcessorOptions{.commit_delay = kWaitLimit * 2},
                                            gate_, processor_metrics_);
  stage_->Start(&shutdown_);
  submit_hop_ = std::make_unique<pipeline::InProcessHop>(*stage_, 64);
  auto queue = Subscribe({"a"});
  stage_->Handle(MakeSubmission("waiting", "a", "never committed"), absl::InfiniteFuture(),
                 outcomes_.Callback("waiting"));

  shutdown_.Cancel(absl::DeadlineExceededError("drain timed out"));
  std::optional<pipeline::Result> result = outcomes_.Wait("waiting");
  ASSERT_TRUE(result.has_value());
  // UNAVAILABLE, so that intake keeps the item for the next processor.
  EXPECT_EQ(result->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(result->status().message()), HasSubstr("drain timed out"));
  EXPECT_TRUE(Received(*queue).empty());
  EXPECT_EQ(processor_metrics_.committed.Value(), 0);
}

TEST_F(ProcessorStageTest, StopFailsQueuedItems) {
  // Recovery never succeeds, so nothing is committed and both items are
  // still queued when the stage stops.
  StartStage(ProcessorOptions{
      .recover = []() -> absl::StatusOr<std::vector<internal::v1::RoomState>> {
        return absl::UnavailableError("broadcaster is down");
      },
      .recover_backoff = BackoffPolicy{.initial = kWaitLimit, .max = kWaitLimit},
  });
  stage_->Handle(MakeSubmission("q1", "a", "one"), absl::InfiniteFuture(),
                 outcomes_.Callback("q1"));
  stage_->Handle(MakeSubmission("q2", "a", "two"), absl::InfiniteFuture(),
                 outcomes_.Callback("q2"));
  stage_->Stop();

  for (const std::string key : {"q1", "q2"}) {
    std::optional<pipeline::Result> result = outcomes_.Wait(key, absl::ZeroDuration());
    ASSERT_TRUE(result.has_value()) << key;
    EXPECT_EQ(result->status().code(), absl::StatusCode::kUnavailable) << key;
    EXPECT_THAT(std::string(result->status().message()), HasSubstr("stopped")) << key;
  }

  stage_->Handle(MakeSubmission("after", "a", "late"), absl::InfiniteFuture(),
                 outcomes_.Callback("after"));
  std::optional<pipeline::Result> after = outcomes_.Wait("after", absl::ZeroDuration());
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace parley::processor
