#ifndef PARLEY_TESTS_UNIT_OUTCOME_RECORDER_H_
#define PARLEY_TESTS_UNIT_OUTCOME_RECORDER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "parley/base/mutex.h"
#include "absl/time/time.h"
#include "parley/pipeline/hop.h"

namespace parley::unit_test {

// Generous limit for every wait on another thread: a healthy test needs
// milliseconds, and a hung one fails instead of blocking the suite.
inline constexpr absl::Duration kWaitLimit = absl::Seconds(10);

// Collects item outcomes by key, from any thread, and lets a test wait for
// them. Must outlive every callback it hands out.
class OutcomeRecorder {
 public:
  // Returns a callback that records its result under `key`.
  pipeline::OutcomeCallback Callback(const std::string& key) {
    return [this, key](pipeline::Result result) {
      parley::MutexLock lock(&mu_);
      results_[key].push_back(std::move(result));
    };
  }

  // Waits until `key` has an outcome; nullopt when none came within `limit`.
  std::optional<pipeline::Result> Wait(const std::string& key,
                                       absl::Duration limit = kWaitLimit) {
    parley::MutexLock lock(&mu_);
    auto arrived = [this, &key]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      auto it = results_.find(key);
      return it != results_.end() && !it->second.empty();
    };
    if (!mu_.AwaitWithTimeout(arrived, limit)) return std::nullopt;
    return results_[key].front();
  }

  // Returns how many outcomes `key` received; every item should get one.
  size_t Count(const std::string& key) const {
    parley::MutexLock lock(&mu_);
    auto it = results_.find(key);
    return it == results_.end() ? 0 : it->second.size();
  }

 private:
  mutable parley::Mutex mu_;
  absl::flat_hash_map<std::string, std::vector<pipeline::Result>> results_ ABSL_GUARDED_BY(mu_);
};

}  // namespace parley::unit_test

#endif  // PARLEY_TESTS_UNIT_OUTCOME_RECORDER_H_
