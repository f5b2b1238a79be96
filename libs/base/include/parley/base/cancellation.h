#ifndef PARLEY_BASE_CANCELLATION_H_
#define PARLEY_BASE_CANCELLATION_H_

// A cancellation tree: the C++ form of Go's context cancellation inside one
// process. Cancelling a source cancels every child source made from it, and
// runs the callbacks registered on each, with the reason of the first
// Cancel.
//
//   CancellationSource shutdown;                   // process-wide root
//   CancellationSource stream(&shutdown);          // one per stream
//   auto subscription = stream.OnCancel([&](const absl::Status& reason) {
//     StopWork(reason);
//   });
//   shutdown.Cancel(absl::DeadlineExceededError("drain timed out"));
//
// A Subscription unregisters its callback when destroyed, and a child
// unlinks itself from its parent, so objects with shorter lives than the
// tree can take part. A source must outlive its subscriptions and children.

#include <cstdint>
#include <map>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "parley/base/mutex.h"
#include "absl/time/time.h"

namespace parley {

class CancellationSource {
 public:
  using Callback = absl::AnyInvocable<void(const absl::Status& reason)>;

  // Unregisters its callback on destruction. Move-only.
  class [[nodiscard]] Subscription {
   public:
    Subscription() = default;
    Subscription(Subscription&& other) noexcept;
    Subscription& operator=(Subscription&& other) noexcept;
    ~Subscription() { Reset(); }

    // Unregisters now. If the callback is running on another thread, waits
    // for it to return.
    void Reset();

   private:
    friend class CancellationSource;
    Subscription(CancellationSource* source, uint64_t id) : source_(source), id_(id) {}
    CancellationSource* source_ = nullptr;
    uint64_t id_ = 0;
  };

  // A root source.
  CancellationSource() = default;
  // A child, cancelled when `parent` is (at once if it already is).
  explicit CancellationSource(CancellationSource* parent);

  CancellationSource(const CancellationSource&) = delete;
  CancellationSource& operator=(const CancellationSource&) = delete;

  // Cancels this source and its children with `reason` (not OK). Only the
  // first call has an effect. Callbacks run on the calling thread.
  void Cancel(const absl::Status& reason);

  bool cancelled() const;
  // Returns the reason of the cancellation, or OK while not cancelled.
  absl::Status reason() const;

  // Registers `callback`, or runs it at once when already cancelled.
  Subscription OnCancel(Callback callback);

  // Blocks until cancelled or `deadline`; returns whether cancelled.
  bool WaitUntil(absl::Time deadline) const;

 private:
  void Unregister(uint64_t id);

  mutable parley::Mutex mu_;
  absl::Status reason_ ABSL_GUARDED_BY(mu_);
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, Callback> callbacks_ ABSL_GUARDED_BY(mu_);

  // Held while callbacks run, so that Unregister can wait for them.
  parley::Mutex running_mu_;
  std::thread::id running_thread_ ABSL_GUARDED_BY(mu_);

  // Declared last: unlinks from the parent before the members above go.
  Subscription parent_subscription_;
};

}  // namespace parley

#endif  // PARLEY_BASE_CANCELLATION_H_
