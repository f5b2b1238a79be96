#ifndef PARLEY_BASE_BACKOFF_H_
#define PARLEY_BASE_BACKOFF_H_

// Exponential backoff with full jitter for reconnect loops: the n-th delay
// is drawn uniformly from [0, min(max, initial * multiplier^n)], which
// spreads reconnects of many clients after a shared outage.

#include <algorithm>
#include <cstdint>
#include <random>

#include "absl/time/time.h"

namespace parley {

struct BackoffPolicy {
  absl::Duration initial = absl::Milliseconds(100);
  absl::Duration max = absl::Seconds(5);
  double multiplier = 2.0;
};

// Not thread-safe: each reconnect loop owns one.
class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy, uint64_t seed = std::random_device{}());

  // Returns the delay before the next attempt and grows the ceiling.
  absl::Duration Next();

  // Returns the current ceiling, which Next draws below.
  absl::Duration ceiling() const { return ceiling_; }

  // Starts over after a successful attempt.
  void Reset() { ceiling_ = std::min(policy_.initial, policy_.max); }

 private:
  BackoffPolicy policy_;
  absl::Duration ceiling_;
  std::mt19937_64 random_;
};

}  // namespace parley

#endif  // PARLEY_BASE_BACKOFF_H_
