#include "parley/base/backoff.h"

#include <algorithm>

namespace parley {

Backoff::Backoff(BackoffPolicy policy, uint64_t seed)
    : policy_(policy), ceiling_(std::min(policy.initial, policy.max)), random_(seed) {}

absl::Duration Backoff::Next() {
  std::uniform_real_distribution<double> fraction(0.0, 1.0);
  absl::Duration delay = ceiling_ * fraction(random_);
  ceiling_ = std::min(policy_.max, ceiling_ * policy_.multiplier);
  return delay;
}

}  // namespace parley
