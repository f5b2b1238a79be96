#include "parley/base/cancellation.h"

#include <utility>
#include <vector>

namespace parley {

CancellationSource::Subscription::Subscription(Subscription&& other) noexcept
    : source_(std::exchange(other.source_, nullptr)), id_(other.id_) {}

CancellationSource::Subscription& CancellationSource::Subscription::operator=(
    Subscription&& other) noexcept {
  if (this != &other) {
    Reset();
    source_ = std::exchange(other.source_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

void CancellationSource::Subscription::Reset() {
  if (source_ != nullptr) {
    source_->Unregister(id_);
    source_ = nullptr;
  }
}

CancellationSource::CancellationSource(CancellationSource* parent) {
  parent_subscription_ =
      parent->OnCancel([this](const absl::Status& reason) { Cancel(reason); });
}

void CancellationSource::Cancel(const absl::Status& reason) {
  std::map<uint64_t, Callback> callbacks;
  parley::MutexLock running(&running_mu_);
  {
    parley::MutexLock lock(&mu_);
    if (cancelled_) return;
    cancelled_ = true;
    reason_ = reason.ok() ? absl::CancelledError("cancelled") : reason;
    callbacks.swap(callbacks_);
    running_thread_ = std::this_thread::get_id();
  }
  for (auto& [id, callback] : callbacks) callback(reason_);
  parley::MutexLock lock(&mu_);
  running_thread_ = std::thread::id();
}

bool CancellationSource::cancelled() const {
  parley::MutexLock lock(&mu_);
  return cancelled_;
}

absl::Status CancellationSource::reason() const {
  parley::MutexLock lock(&mu_);
  return reason_;
}

CancellationSource::Subscription CancellationSource::OnCancel(Callback callback) {
  absl::Status reason;
  {
    parley::MutexLock lock(&mu_);
    if (!cancelled_) {
      uint64_t id = next_id_++;
      callbacks_.emplace(id, std::move(callback));
      return Subscription(this, id);
    }
    reason = reason_;
  }
  callback(reason);
  return Subscription();
}

bool CancellationSource::WaitUntil(absl::Time deadline) const {
  parley::MutexLock lock(&mu_);
  auto done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return cancelled_; };
  return mu_.AwaitWithDeadline(done, deadline);
}

void CancellationSource::Unregister(uint64_t id) {
  {
    parley::MutexLock lock(&mu_);
    if (callbacks_.erase(id) > 0 || !cancelled_) return;
    // Cancel took the callback: wait until it has run, unless this thread
    // is the one running it.
    if (running_thread_ == std::this_thread::get_id()) return;
  }
  parley::MutexLock running(&running_mu_);
}

}  // namespace parley
