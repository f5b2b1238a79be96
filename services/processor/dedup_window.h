#ifndef PARLEY_SERVICES_PROCESSOR_DEDUP_WINDOW_H_
#define PARLEY_SERVICES_PROCESSOR_DEDUP_WINDOW_H_

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "parley/base/mutex.h"
#include "absl/time/time.h"
#include "parley/pipeline/hop.h"

namespace parley::processor {

// Makes submissions idempotent by message id. The first submission of an id
// is processed, and copies that arrive while it is in flight wait for the
// same outcome. Copies that arrive after it committed get the stored
// commit, for `window` or until `max_entries` newer commits push it out.
// A failed submission is dropped from the window, so a retry is processed
// afresh. Thread-safe.
class DedupWindow {
 public:
  DedupWindow(absl::Duration window, size_t max_entries);

  enum class Admission {
    kNew,        // the caller processes it and later calls Resolve
    kJoined,     // `done` waits for the outcome of the copy in flight
    kCommitted,  // `done` already ran with the stored commit
  };

  Admission Admit(const std::string& message_id, pipeline::OutcomeCallback& done,
                  absl::Time now);

  // Ends the item `message_id`: runs every waiting callback with `result`.
  // A commit is kept for later copies, an error is not.
  void Resolve(const std::string& message_id, const pipeline::Result& result, absl::Time now);

  // Records a commit made before this process started, unless the id is
  // already committed. Copies of it in flight get this commit as outcome.
  void Remember(const std::string& message_id, const pipeline::Commit& commit, absl::Time now);

  // Returns true when `message_id` is in flight (admitted, not resolved).
  bool InFlight(const std::string& message_id) const;

  size_t size() const;

 private:
  struct Entry {
    std::vector<pipeline::OutcomeCallback> waiters;
    std::optional<pipeline::Commit> commit;
  };

  void Evict(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const absl::Duration window_;
  const size_t max_entries_;
  mutable parley::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  // Commit times in commit order, oldest first, for eviction.
  std::deque<std::pair<absl::Time, std::string>> committed_ ABSL_GUARDED_BY(mu_);
};

}  // namespace parley::processor

#endif  // PARLEY_SERVICES_PROCESSOR_DEDUP_WINDOW_H_
