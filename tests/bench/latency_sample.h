#ifndef PARLEY_TESTS_BENCH_LATENCY_SAMPLE_H_
#define PARLEY_TESTS_BENCH_LATENCY_SAMPLE_H_

#include <algorithm>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "parley/base/mutex.h"

namespace parley::bench {

// Latencies recorded from several threads, summarised as quantiles.
class LatencySample {
 public:
  void Add(absl::Duration latency) {
    parley::MutexLock lock(&mu_);
    latencies_.push_back(latency);
  }

  size_t size() const {
    parley::MutexLock lock(&mu_);
    return latencies_.size();
  }

  // Returns the q-quantile (0 <= q <= 1) by the nearest-rank method, or
  // zero when nothing was recorded.
  absl::Duration Quantile(double q) const {
    parley::MutexLock lock(&mu_);
    if (latencies_.empty()) return absl::ZeroDuration();
    std::vector<absl::Duration> sorted = latencies_;
    std::sort(sorted.begin(), sorted.end());
    size_t rank = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(rank, sorted.size() - 1)];
  }

 private:
  mutable parley::Mutex mu_;
  std::vector<absl::Duration> latencies_ ABSL_GUARDED_BY(mu_);
};

}  // namespace parley::bench

#endif  // PARLEY_TESTS_BENCH_LATENCY_SAMPLE_H_
