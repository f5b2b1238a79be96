#include "rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace parley::intake {
namespace {

// Status payload that carries the retry delay in whole milliseconds.
constexpr char kRetryDelayPayload[] = "parley.intake/retry-after-ms";

// Absorbs rounding, so that a retry after the rounded-up delay that
// Exhausted reports finds a whole token.
constexpr double kTokenEpsilon = 1e-9;

int64_t CeilMilliseconds(absl::Duration delay) {
  return std::max<int64_t>(1, absl::ToInt64Milliseconds(absl::Ceil(delay, absl::Milliseconds(1))));
}

}  // namespace

RateLimiter::RateLimiter(const RateLimitOptions& options, Clock clock)
    : options_(options),
      rate_(static_cast<double>(options.messages_per_second)),
      refill_time_(absl::Seconds(static_cast<double>(options.burst) / rate_)),
      clock_(std::move(clock)),
      last_sweep_(clock_()) {}

absl::Status RateLimiter::Admit(const std::string& sender) {
  absl::Time now = clock_();
  parley::MutexLock lock(&mu_);

  // 1. Forget senders whose buckets refilled, at most once per refill
  // time, or sooner when the table is full and a sweep can free a slot.
  bool full = buckets_.size() >= static_cast<size_t>(options_.max_senders);
  if (now - last_sweep_ >= refill_time_ || (full && now >= earliest_full_)) Sweep(now);

  // 2. A new sender starts with a full bucket, if there is room for it.
  auto it = buckets_.find(sender);
  if (it == buckets_.end()) {
    if (buckets_.size() >= static_cast<size_t>(options_.max_senders)) {
      return Exhausted(absl::StrCat("intake is rate limiting ", buckets_.size(),
                                    " senders already (rate_limit.max_senders)"),
                       earliest_full_ - now);
    }
    it = buckets_.emplace(sender, Bucket{static_cast<double>(options_.burst), now}).first;
  }

  // 3. Take a token, or report when the next one arrives.
  Bucket& bucket = it->second;
  Refill(bucket, now);
  if (bucket.tokens < 1.0 - kTokenEpsilon) {
    const char* unit = options_.messages_per_second == 1 ? " message" : " messages";
    return Exhausted(absl::StrCat("sender \"", sender, "\" exceeded ",
                                  options_.messages_per_second, unit, " per second (burst ",
                                  options_.burst, ")"),
                     absl::Seconds((1.0 - bucket.tokens) / rate_));
  }
  bucket.tokens = std::max(0.0, bucket.tokens - 1.0);
  earliest_full_ = std::min(earliest_full_, FullAt(bucket));
  return absl::OkStatus();
}

std::optional<absl::Duration> RateLimiter::RetryDelay(const absl::Status& status) {
  if (!absl::IsResourceExhausted(status)) return std::nullopt;
  absl::optional<absl::Cord> payload = status.GetPayload(kRetryDelayPayload);
  int64_t milliseconds = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &milliseconds)) {
    return std::nullopt;
  }
  return absl::Milliseconds(milliseconds);
}

size_t RateLimiter::tracked_senders() const {
  parley::MutexLock lock(&mu_);
  return buckets_.size();
}

void RateLimiter::Refill(Bucket& bucket, absl::Time now) const {
  if (now <= bucket.updated) return;
  double earned = absl::ToDoubleSeconds(now - bucket.updated) * rate_;
  bucket.tokens = std::min(static_cast<double>(options_.burst), bucket.tokens + earned);
  bucket.updated = now;
}

absl::Time RateLimiter::FullAt(const Bucket& bucket) const {
  double missing = static_cast<double>(options_.burst) - bucket.tokens;
  return bucket.updated + absl::Seconds(missing / rate_);
}

void RateLimiter::Sweep(absl::Time now) {
  last_sweep_ = now;
  earliest_full_ = absl::InfiniteFuture();
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    absl::Time full_at = FullAt(it->second);
    if (full_at <= now) {
      buckets_.erase(it++);
      continue;
    }
    earliest_full_ = std::min(earliest_full_, full_at);
    ++it;
  }
}

absl::Status RateLimiter::Exhausted(absl::string_view message, absl::Duration delay) const {
  int64_t milliseconds = CeilMilliseconds(delay);
  absl::Status status = absl::ResourceExhaustedError(
      absl::StrCat(message, "; retry in ", milliseconds, "ms"));
  status.SetPayload(kRetryDelayPayload, absl::Cord(absl::StrCat(milliseconds)));
  return status;
}

}  // namespace parley::intake
