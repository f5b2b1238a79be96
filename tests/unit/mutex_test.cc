#include "parley/base/mutex.h"

#include <thread>

#include "gtest/gtest.h"

namespace parley {
namespace {

constexpr absl::Duration kWaitLimit = absl::Seconds(10);

TEST(Mutex, AwaitReturnsWhenConditionHolds) {
  Mutex mu;
  bool ready = true;
  MutexLock lock(&mu);
  EXPECT_TRUE(mu.AwaitWithTimeout([&] { return ready; }, absl::ZeroDuration()));
}

TEST(Mutex, AwaitTimesOutWithFalse) {
  Mutex mu;
  bool ready = false;
  MutexLock lock(&mu);
  EXPECT_FALSE(mu.AwaitWithTimeout([&] { return ready; }, absl::Milliseconds(20)));
}

TEST(Mutex, UnlockWakesWaiter) {
  Mutex mu;
  bool ready = false;
  std::thread setter([&] {
    MutexLock lock(&mu);
    ready = true;
  });
  {
    MutexLock lock(&mu);
    EXPECT_TRUE(mu.AwaitWithTimeout([&] { return ready; }, kWaitLimit));
  }
  setter.join();
}

// A thread that changes state and then waits in the same critical section
// releases the lock inside Await, not through Unlock. The other waiter
// must still see the change, or both wait until their timeouts.
TEST(Mutex, AwaitAfterChangeWakesOtherWaiter) {
  Mutex mu;
  bool first_ready = false;
  bool second_done = false;
  std::thread waiter([&] {
    MutexLock lock(&mu);
    bool woke = mu.AwaitWithTimeout([&] { return first_ready; }, kWaitLimit);
    EXPECT_TRUE(woke);
    second_done = true;
  });
  {
    MutexLock lock(&mu);
    // Let the waiter block first, so that the change below must wake it.
    mu.AwaitWithTimeout([] { return false; }, absl::Milliseconds(50));
    first_ready = true;
    absl::Time started = absl::Now();
    EXPECT_TRUE(mu.AwaitWithTimeout([&] { return second_done; }, kWaitLimit));
    EXPECT_LT(absl::Now() - started, kWaitLimit);
  }
  waiter.join();
}

TEST(Notification, WaitSeesEarlierNotify) {
  Notification notification;
  std::thread notifier([&] { notification.Notify(); });
  EXPECT_TRUE(notification.WaitForNotificationWithTimeout(kWaitLimit));
  notifier.join();
  EXPECT_TRUE(notification.HasBeenNotified());
}

}  // namespace
}  // namespace parley
