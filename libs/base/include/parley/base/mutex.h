#ifndef PARLEY_BASE_MUTEX_H_
#define PARLEY_BASE_MUTEX_H_

// A mutex with absl::Mutex's Await style, built on std::mutex and
// std::condition_variable.
//
// Parley does not use absl::Mutex because Debian's abseil is not built
// with ThreadSanitizer: TSan cannot see its synchronisation and reports
// races that are not there, while it understands std::mutex through its
// pthread interceptors. The annotations keep Clang's thread-safety
// analysis working.
//
//   parley::Mutex mu;
//   int value ABSL_GUARDED_BY(mu) = 0;
//   parley::MutexLock lock(&mu);
//   mu.AwaitWithDeadline([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return value > 0; },
//                        deadline);

#include <condition_variable>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace parley {

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }

  // Wakes every waiter when there is one, so that each re-checks its
  // condition, as absl::Mutex re-evaluates conditions on unlock.
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    bool wake = waiters_ > 0;
    mu_.unlock();
    if (wake) changed_.notify_all();
  }

  // Blocks, with the mutex held on entry and return, until `condition()`
  // holds or `deadline` passes; returns the last value of `condition()`.
  template <typename Condition>
  bool AwaitWithDeadline(Condition&& condition, absl::Time deadline) {
    std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
    // The caller may have changed state before waiting, and waiting
    // releases the lock without Unlock: wake the other waiters here too.
    if (waiters_ > 0) changed_.notify_all();
    ++waiters_;
    while (!condition()) {
      if (deadline == absl::InfiniteFuture()) {
        changed_.wait(lock);
      } else if (absl::Now() >= deadline ||
                 changed_.wait_until(lock, absl::ToChronoTime(deadline)) ==
                     std::cv_status::timeout) {
        --waiters_;
        bool result = condition();
        lock.release();
        return result;
      }
    }
    --waiters_;
    lock.release();
    return true;
  }

  template <typename Condition>
  bool AwaitWithTimeout(Condition&& condition, absl::Duration timeout) {
    return AwaitWithDeadline(std::forward<Condition>(condition), absl::Now() + timeout);
  }

  template <typename Condition>
  void Await(Condition&& condition) {
    AwaitWithDeadline(std::forward<Condition>(condition), absl::InfiniteFuture());
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int waiters_ = 0;  // guarded by mu_
};

// Holds a Mutex for its scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A one-shot event, like absl::Notification, on the Mutex above.
class Notification {
 public:
  void Notify() {
    MutexLock lock(&mu_);
    notified_ = true;
  }

  bool HasBeenNotified() const {
    MutexLock lock(&mu_);
    return notified_;
  }

  void WaitForNotification() const {
    MutexLock lock(&mu_);
    mu_.Await([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return notified_; });
  }

  // Returns whether it was notified within `timeout`.
  bool WaitForNotificationWithTimeout(absl::Duration timeout) const {
    MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return notified_; },
                                timeout);
  }

 private:
  mutable Mutex mu_;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace parley

#endif  // PARLEY_BASE_MUTEX_H_
