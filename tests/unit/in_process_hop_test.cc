#include "parley/pipeline/in_process_hop.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "fake_stage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "outcome_recorder.h"

namespace parley::pipeline {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using unit_test::FakeStage;
using unit_test::OutcomeRecorder;

Item MakeItem(const std::string& message_id) {
  Item item;
  item.mutable_metadata()->set_message_id(message_id);
  item.mutable_submission()->set_room("lobby");
  item.mutable_submission()->set_sender("alice");
  item.mutable_submission()->set_text("hello " + message_id);
  return item;
}

TEST(InProcessHop, HandsItemsInOrder) {
  FakeStage stage;
  OutcomeRecorder outcomes;
  InProcessHop hop(stage, 16);
  const absl::Time deadline = absl::Now() + absl::Minutes(1);
  for (const std::string id : {"a", "b", "c", "d"}) {
    hop.Send(MakeItem(id), deadline, outcomes.Callback(id));
  }

  for (const std::string id : {"a", "b", "c", "d"}) {
    std::optional<Result> result = outcomes.Wait(id);
    ASSERT_TRUE(result.has_value()) << id;
    EXPECT_TRUE(result->ok()) << id << ": " << result->status();
  }
  EXPECT_THAT(stage.HandledIds(), ElementsAre("a", "b", "c", "d"));
  EXPECT_EQ(outcomes.Wait("d")->value().sequence(), 4u);
  EXPECT_EQ(stage.handled()[0].deadline, deadline);
}

TEST(InProcessHop, FullHopRejectsUnavailable) {
  FakeStage stage;
  stage.set_block(true);
  OutcomeRecorder outcomes;
  {
    InProcessHop hop(stage, 1);
    // The worker takes "first" and blocks in the stage. "second" fills the
    // channel, so "third" finds no room.
    hop.Send(MakeItem("first"), absl::InfiniteFuture(), outcomes.Callback("first"));
    ASSERT_TRUE(stage.WaitHandled(1));
    hop.Send(MakeItem("second"), absl::InfiniteFuture(), outcomes.Callback("second"));
    hop.Send(MakeItem("third"), absl::InfiniteFuture(), outcomes.Callback("third"));

    std::optional<Result> third = outcomes.Wait("third", absl::ZeroDuration());
    ASSERT_TRUE(third.has_value()) << "a full hop must answer at once";
    EXPECT_EQ(third->status().code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(std::string(third->status().message()), HasSubstr("full"));
    stage.set_block(false);
  }
  EXPECT_TRUE(outcomes.Wait("first").value().ok());
  EXPECT_TRUE(outcomes.Wait("second").value().ok());
  EXPECT_THAT(stage.HandledIds(), ElementsAre("first", "second"));
}

TEST(InProcessHop, ClosedHopRejectsUnavailable) {
  FakeStage stage;
  OutcomeRecorder outcomes;
  InProcessHop hop(stage, 4);
  hop.Close();
  hop.Send(MakeItem("late"), absl::InfiniteFuture(), outcomes.Callback("late"));

  std::optional<Result> late = outcomes.Wait("late", absl::ZeroDuration());
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(late->status().message()), HasSubstr("closed"));
  EXPECT_TRUE(stage.HandledIds().empty());
}

TEST(InProcessHop, DestructorHandsQueuedItems) {
  FakeStage stage;
  stage.set_block(true);
  OutcomeRecorder outcomes;
  {
    InProcessHop hop(stage, 8);
    hop.Send(MakeItem("a"), absl::InfiniteFuture(), outcomes.Callback("a"));
    ASSERT_TRUE(stage.WaitHandled(1));
    hop.Send(MakeItem("b"), absl::InfiniteFuture(), outcomes.Callback("b"));
    hop.Send(MakeItem("c"), absl::InfiniteFuture(), outcomes.Callback("c"));
    stage.set_block(false);
  }
  // The destructor closed the channel and drained it before joining.
  EXPECT_EQ(outcomes.Count("a"), 1u);
  EXPECT_EQ(outcomes.Count("b"), 1u);
  EXPECT_EQ(outcomes.Count("c"), 1u);
  EXPECT_THAT(stage.HandledIds(), ElementsAre("a", "b", "c"));
}

TEST(InProcessHop, CancelReachesStage) {
  FakeStage stage;
  stage.set_hold(true);
  OutcomeRecorder outcomes;
  InProcessHop hop(stage, 4);
  hop.Send(MakeItem("a"), absl::InfiniteFuture(), outcomes.Callback("a"));
  ASSERT_TRUE(stage.WaitHandled(1));

  hop.Cancel("a");
  std::optional<Result> result = outcomes.Wait("a");
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status().code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace parley::pipeline
