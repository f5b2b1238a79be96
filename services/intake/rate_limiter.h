#ifndef PARLEY_SERVICES_INTAKE_RATE_LIMITER_H_
#define PARLEY_SERVICES_INTAKE_RATE_LIMITER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "parley/base/mutex.h"

namespace parley::intake {

struct RateLimitOptions {
  // Tokens added to each sender's bucket per second; 0 turns the limit off.
  int64_t messages_per_second = 0;
  // Bucket size: the messages a sender may send at once after a pause.
  int64_t burst = 20;
  // Senders tracked at once. A bucket that has refilled is forgotten, so
  // this bounds the senders that sent within the last burst /
  // messages_per_second seconds.
  int64_t max_senders = 100'000;
};

// A token bucket per sender name. Memory stays bounded: buckets that have
// refilled are evicted, and while `max_senders` buckets are still
// refilling, new senders are rejected. Thread-safe.
class RateLimiter {
 public:
  using Clock = std::function<absl::Time()>;

  // `options.messages_per_second` must be positive.
  explicit RateLimiter(const RateLimitOptions& options, Clock clock = &absl::Now);

  // Takes one token from `sender`'s bucket. Returns OK, or
  // RESOURCE_EXHAUSTED whose message names the sender, the limit and the
  // delay before a retry can be admitted. RetryDelay reads that delay.
  absl::Status Admit(const std::string& sender);

  // Returns the retry delay of a status that Admit returned, or nullopt for
  // any other status.
  static std::optional<absl::Duration> RetryDelay(const absl::Status& status);

  size_t tracked_senders() const;

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };

  // Adds the tokens earned since the bucket's last update.
  void Refill(Bucket& bucket, absl::Time now) const;
  // Returns when `bucket` is full again.
  absl::Time FullAt(const Bucket& bucket) const;
  // Evicts full buckets and recomputes earliest_full_.
  void Sweep(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Exhausted(absl::string_view message, absl::Duration delay) const;

  const RateLimitOptions options_;
  const double rate_;  // tokens per second
  const absl::Duration refill_time_;  // from empty to full
  const Clock clock_;

  mutable parley::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  // No bucket is full before this time, so a sweep before it frees nothing.
  absl::Time earliest_full_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_);
};

}  // namespace parley::intake

#endif  // PARLEY_SERVICES_INTAKE_RATE_LIMITER_H_
