#include "parley/base/drain_gate.h"

namespace parley {

DrainGate::Token& DrainGate::Token::operator=(Token&& other) noexcept {
  if (this != &other) {
    Release();
    gate_ = other.gate_;
    other.gate_ = nullptr;
  }
  return *this;
}

void DrainGate::Token::Release() {
  if (gate_ != nullptr) {
    gate_->Leave();
    gate_ = nullptr;
  }
}

std::optional<DrainGate::Token> DrainGate::TryEnter() {
  parley::MutexLock lock(&mu_);
  if (closed_) return std::nullopt;
  ++in_flight_;
  return Token(this);
}

void DrainGate::Close() {
  parley::MutexLock lock(&mu_);
  closed_ = true;
}

size_t DrainGate::WaitDrained(absl::Time deadline) {
  parley::MutexLock lock(&mu_);
  auto drained = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return in_flight_ == 0; };
  mu_.AwaitWithDeadline(drained, deadline);
  return in_flight_;
}

size_t DrainGate::in_flight() const {
  parley::MutexLock lock(&mu_);
  return in_flight_;
}

bool DrainGate::closed() const {
  parley::MutexLock lock(&mu_);
  return closed_;
}

void DrainGate::Leave() {
  parley::MutexLock lock(&mu_);
  --in_flight_;
}

}  // namespace parley
