#ifndef PARLEY_BASE_CHANNEL_H_
#define PARLEY_BASE_CHANNEL_H_

// A bounded, closable, multi-producer multi-consumer queue: the C++ form of
// a buffered Go channel.
//
//   parley::Channel<Item> channel(64);
//   producer: if (!channel.Send(item)) { /* closed: stop producing */ }
//   consumer: while (auto item = channel.Receive()) { Handle(*item); }
//   owner:    channel.Close();  // Receive drains what is queued, then ends
//
// Unlike a Go channel, sending on a closed Channel is not a crash: Send
// returns false and hands the value back, so "stop sending before close"
// is true by construction.

#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "parley/base/mutex.h"
#include "absl/time/time.h"

namespace parley {

enum class SendResult { kSent, kFull, kClosed, kTimedOut };

template <typename T>
class Channel {
 public:
  explicit Channel(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Blocks while the channel is full. Returns false if the channel is
  // closed, leaving `value` unmoved.
  bool Send(T& value) { return SendUntil(value, absl::InfiniteFuture()) == SendResult::kSent; }
  bool Send(T&& value) { return Send(value); }

  // Like Send, but gives up at `deadline`; `value` stays unmoved unless sent.
  SendResult SendUntil(T& value, absl::Time deadline) {
    parley::MutexLock lock(&mu_);
    auto has_room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return closed_ || queue_.size() < capacity_;
    };
    if (!mu_.AwaitWithDeadline(has_room, deadline)) {
      return SendResult::kTimedOut;
    }
    if (closed_) return SendResult::kClosed;
    queue_.push_back(std::move(value));
    return SendResult::kSent;
  }

  // Never blocks: kFull when there is no room, kClosed after Close.
  SendResult TrySend(T& value) {
    parley::MutexLock lock(&mu_);
    if (closed_) return SendResult::kClosed;
    if (queue_.size() >= capacity_) return SendResult::kFull;
    queue_.push_back(std::move(value));
    return SendResult::kSent;
  }

  // Blocks until a value is available. Returns nullopt once the channel is
  // closed and every queued value has been received.
  std::optional<T> Receive() { return ReceiveUntil(absl::InfiniteFuture()); }

  // Like Receive, but also returns nullopt at `deadline`. Call closed() to
  // tell the two cases apart.
  std::optional<T> ReceiveUntil(absl::Time deadline) {
    parley::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return closed_ || !queue_.empty();
    };
    mu_.AwaitWithDeadline(ready, deadline);
    if (queue_.empty()) return std::nullopt;
    T value = std::move(queue_.front());
    queue_.pop_front();
    return value;
  }

  // Rejects further sends and wakes every waiter. Idempotent.
  void Close() {
    parley::MutexLock lock(&mu_);
    closed_ = true;
  }

  bool closed() const {
    parley::MutexLock lock(&mu_);
    return closed_;
  }

  size_t size() const {
    parley::MutexLock lock(&mu_);
    return queue_.size();
  }

  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  mutable parley::Mutex mu_;
  std::deque<T> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace parley

#endif  // PARLEY_BASE_CHANNEL_H_
