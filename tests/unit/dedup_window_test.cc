#include "dedup_window.h"

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "outcome_recorder.h"

namespace parley::processor {
namespace {

using unit_test::OutcomeRecorder;

const absl::Time kStart = absl::FromUnixSeconds(1'700'000'000);

pipeline::Commit MakeCommit(const std::string& room, uint64_t sequence) {
  pipeline::Commit commit;
  commit.set_room(room);
  commit.set_sequence(sequence);
  return commit;
}

// Admits `message_id` with a callback recorded under `key`.
DedupWindow::Admission Admit(DedupWindow& window, OutcomeRecorder& outcomes,
                             const std::string& message_id, const std::string& key,
                             absl::Time now) {
  pipeline::OutcomeCallback done = outcomes.Callback(key);
  return window.Admit(message_id, done, now);
}

TEST(DedupWindow, CopyInFlightJoins) {
  DedupWindow window(absl::Minutes(1), 100);
  OutcomeRecorder outcomes;
  EXPECT_EQ(Admit(window, outcomes, "m", "first", kStart), DedupWindow::Admission::kNew);
  EXPECT_TRUE(window.InFlight("m"));
  EXPECT_EQ(Admit(window, outcomes, "m", "copy", kStart), DedupWindow::Admission::kJoined);
  EXPECT_EQ(outcomes.Count("first"), 0u);
  EXPECT_EQ(outcomes.Count("copy"), 0u);

  window.Resolve("m", MakeCommit("a", 4), kStart);
  EXPECT_FALSE(window.InFlight("m"));
  ASSERT_EQ(outcomes.Count("first"), 1u);
  ASSERT_EQ(outcomes.Count("copy"), 1u);
  EXPECT_EQ(outcomes.Wait("first")->value().sequence(), 4u);
  EXPECT_EQ(outcomes.Wait("copy")->value().sequence(), 4u);
}

TEST(DedupWindow, CopyAfterCommitGetsStoredCommit) {
  DedupWindow window(absl::Minutes(1), 100);
  OutcomeRecorder outcomes;
  Admit(window, outcomes, "m", "first", kStart);
  window.Resolve("m", MakeCommit("a", 9), kStart);

  EXPECT_EQ(Admit(window, outcomes, "m", "retry", kStart + absl::Seconds(30)),
            DedupWindow::Admission::kCommitted);
  ASSERT_EQ(outcomes.Count("retry"), 1u) << "a committed copy is answered at once";
  EXPECT_EQ(outcomes.Wait("retry")->value().sequence(), 9u);
  EXPECT_EQ(outcomes.Wait("retry")->value().room(), "a");
}

TEST(DedupWindow, FailureIsForgotten) {
  DedupWindow window(absl::Minutes(1), 100);
  OutcomeRecorder outcomes;
  Admit(window, outcomes, "m", "first", kStart);
  window.Resolve("m", absl::DeadlineExceededError("late"), kStart);
  EXPECT_EQ(outcomes.Wait("first")->status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(window.size(), 0u);

  EXPECT_EQ(Admit(window, outcomes, "m", "retry", kStart), DedupWindow::Admission::kNew);
}

TEST(DedupWindow, ForgetsAfterWindow) {
  DedupWindow window(absl::Minutes(1), 100);
  OutcomeRecorder outcomes;
  Admit(window, outcomes, "m", "first", kStart);
  window.Resolve("m", MakeCommit("a", 1), kStart);

  EXPECT_EQ(Admit(window, outcomes, "m", "inside", kStart + absl::Seconds(59)),
            DedupWindow::Admission::kCommitted);
  EXPECT_EQ(Admit(window, outcomes, "m", "outside", kStart + absl::Minutes(1)),
            DedupWindow::Admission::kNew);
}

TEST(DedupWindow, ForgetsOldestBeyondMaxEntries) {
  DedupWindow window(absl::Hours(1), 2);
  OutcomeRecorder outcomes;
  for (const std::string id : {"m1", "m2", "m3"}) {
    Admit(window, outcomes, id, id, kStart);
    window.Resolve(id, MakeCommit("a", 1), kStart);
  }
  EXPECT_EQ(window.size(), 2u);
  EXPECT_EQ(Admit(window, outcomes, "m3", "m3-retry", kStart),
            DedupWindow::Admission::kCommitted);
  EXPECT_EQ(Admit(window, outcomes, "m1", "m1-retry", kStart), DedupWindow::Admission::kNew);
}

TEST(DedupWindow, RememberMakesCommitted) {
  DedupWindow window(absl::Minutes(1), 100);
  OutcomeRecorder outcomes;
  window.Remember("old", MakeCommit("a", 5), kStart);
  EXPECT_FALSE(window.InFlight("old"));

  EXPECT_EQ(Admit(window, outcomes, "old", "retry", kStart), DedupWindow::Admission::kCommitted);
  EXPECT_EQ(outcomes.Wait("retry")->value().sequence(), 5u);
}

TEST(DedupWindow, RememberKeepsKnownId) {
  DedupWindow window(absl::Minutes(1), 100);
  OutcomeRecorder outcomes;
  Admit(window, outcomes, "m", "first", kStart);
  window.Resolve("m", MakeCommit("a", 2), kStart);

  window.Remember("m", MakeCommit("a", 99), kStart);
  Admit(window, outcomes, "m", "retry", kStart);
  EXPECT_EQ(outcomes.Wait("retry")->value().sequence(), 2u);
}

TEST(DedupWindow, RememberResolvesCopyInFlight) {
  DedupWindow window(absl::Minutes(1), 100);
  OutcomeRecorder outcomes;
  // A copy admitted before recovery reported the id as committed.
  EXPECT_EQ(Admit(window, outcomes, "m", "copy", kStart), DedupWindow::Admission::kNew);
  EXPECT_EQ(Admit(window, outcomes, "m", "second-copy", kStart),
            DedupWindow::Admission::kJoined);

  window.Remember("m", MakeCommit("a", 5), kStart);
  EXPECT_FALSE(window.InFlight("m"));
  ASSERT_EQ(outcomes.Count("copy"), 1u);
  ASSERT_EQ(outcomes.Count("second-copy"), 1u);
  EXPECT_EQ(outcomes.Wait("copy")->value().sequence(), 5u);
  EXPECT_EQ(outcomes.Wait("second-copy")->value().sequence(), 5u);
}

TEST(DedupWindow, ResolveUnknownIdIgnored) {
  DedupWindow window(absl::Minutes(1), 100);
  window.Resolve("never-admitted", MakeCommit("a", 1), kStart);
  EXPECT_EQ(window.size(), 0u);
}

}  // namespace
}  // namespace parley::processor
