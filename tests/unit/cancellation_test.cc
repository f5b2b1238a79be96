#include "parley/base/cancellation.h"

#include <optional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "parley/base/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace parley {
namespace {

constexpr absl::Duration kWaitLimit = absl::Seconds(10);

TEST(CancellationSource, CancelRunsCallbacksWithReason) {
  CancellationSource source;
  std::vector<absl::Status> seen;
  auto first = source.OnCancel([&seen](const absl::Status& reason) { seen.push_back(reason); });
  auto second = source.OnCancel([&seen](const absl::Status& reason) { seen.push_back(reason); });
  EXPECT_FALSE(source.cancelled());
  EXPECT_TRUE(source.reason().ok());

  source.Cancel(absl::DeadlineExceededError("drain timed out"));
  EXPECT_TRUE(source.cancelled());
  EXPECT_EQ(source.reason(), absl::DeadlineExceededError("drain timed out"));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], absl::DeadlineExceededError("drain timed out"));
  EXPECT_EQ(seen[1], absl::DeadlineExceededError("drain timed out"));
}

TEST(CancellationSource, FirstCancelWins) {
  CancellationSource source;
  int calls = 0;
  auto subscription = source.OnCancel([&calls](const absl::Status&) { ++calls; });
  source.Cancel(absl::UnavailableError("first"));
  source.Cancel(absl::InternalError("second"));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(source.reason(), absl::UnavailableError("first"));
}

TEST(CancellationSource, OkReasonBecomesCancelled) {
  CancellationSource source;
  source.Cancel(absl::OkStatus());
  EXPECT_EQ(source.reason().code(), absl::StatusCode::kCancelled);
}

TEST(CancellationSource, LateCallbackRunsAtOnce) {
  CancellationSource source;
  source.Cancel(absl::AbortedError("gone"));
  std::optional<absl::Status> seen;
  auto subscription = source.OnCancel([&seen](const absl::Status& reason) { seen = reason; });
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(*seen, absl::AbortedError("gone"));
}

TEST(CancellationSource, ResetSubscriptionSkipsCallback) {
  CancellationSource source;
  int calls = 0;
  auto kept = source.OnCancel([&calls](const absl::Status&) { calls += 1; });
  {
    auto dropped = source.OnCancel([&calls](const absl::Status&) { calls += 100; });
  }
  auto reset = source.OnCancel([&calls](const absl::Status&) { calls += 10; });
  reset.Reset();
  source.Cancel(absl::CancelledError("stop"));
  EXPECT_EQ(calls, 1);
}

TEST(CancellationSource, MovedSubscriptionStaysRegistered) {
  CancellationSource source;
  int calls = 0;
  CancellationSource::Subscription target;
  {
    auto original = source.OnCancel([&calls](const absl::Status&) { ++calls; });
    target = std::move(original);
  }
  source.Cancel(absl::CancelledError("stop"));
  EXPECT_EQ(calls, 1);
}

TEST(CancellationSource, ChildFollowsParent) {
  CancellationSource parent;
  CancellationSource child(&parent);
  CancellationSource grandchild(&child);
  std::optional<absl::Status> seen;
  auto subscription =
      grandchild.OnCancel([&seen](const absl::Status& reason) { seen = reason; });

  parent.Cancel(absl::DeadlineExceededError("drain timed out"));
  EXPECT_TRUE(child.cancelled());
  EXPECT_TRUE(grandchild.cancelled());
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(*seen, absl::DeadlineExceededError("drain timed out"));
}

TEST(CancellationSource, ChildCancelLeavesParent) {
  CancellationSource parent;
  CancellationSource child(&parent);
  child.Cancel(absl::CancelledError("stream ended"));
  EXPECT_TRUE(child.cancelled());
  EXPECT_FALSE(parent.cancelled());
}

TEST(CancellationSource, ChildOfCancelledParentStartsCancelled) {
  CancellationSource parent;
  parent.Cancel(absl::UnavailableError("shutting down"));
  CancellationSource child(&parent);
  EXPECT_TRUE(child.cancelled());
  EXPECT_EQ(child.reason(), absl::UnavailableError("shutting down"));
}

TEST(CancellationSource, DestroyedChildUnlinks) {
  CancellationSource parent;
  int calls = 0;
  {
    CancellationSource child(&parent);
    auto subscription = child.OnCancel([&calls](const absl::Status&) { ++calls; });
  }
  parent.Cancel(absl::CancelledError("stop"));
  EXPECT_EQ(calls, 0);
}

TEST(CancellationSource, WaitUntilWakesOnCancel) {
  CancellationSource source;
  EXPECT_FALSE(source.WaitUntil(absl::Now() + absl::Milliseconds(10)));

  parley::Notification waiting;
  bool woke = false;
  std::jthread waiter([&] {
    waiting.Notify();
    woke = source.WaitUntil(absl::Now() + kWaitLimit);
  });
  ASSERT_TRUE(waiting.WaitForNotificationWithTimeout(kWaitLimit));
  source.Cancel(absl::CancelledError("stop"));
  waiter.join();
  EXPECT_TRUE(woke);
}

TEST(CancellationSource, ResetWaitsForRunningCallback) {
  CancellationSource source;
  parley::Notification running;
  parley::Notification release;
  auto subscription = source.OnCancel([&](const absl::Status&) {
    running.Notify();
    release.WaitForNotificationWithTimeout(kWaitLimit);
  });
  std::jthread canceller([&source] { source.Cancel(absl::CancelledError("stop")); });
  ASSERT_TRUE(running.WaitForNotificationWithTimeout(kWaitLimit));

  parley::Notification reset_returned;
  std::jthread resetter([&] {
    subscription.Reset();
    reset_returned.Notify();
  });
  // Reset must not return while the callback still runs, however long it
  // is given.
  EXPECT_FALSE(reset_returned.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  release.Notify();
  EXPECT_TRUE(reset_returned.WaitForNotificationWithTimeout(kWaitLimit));
}

TEST(CancellationSource, CallbackMayResetOwnSubscription) {
  CancellationSource source;
  CancellationSource::Subscription subscription;
  int calls = 0;
  subscription = source.OnCancel([&](const absl::Status&) {
    ++calls;
    subscription.Reset();  // must not wait for itself
  });
  source.Cancel(absl::CancelledError("stop"));
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace parley
