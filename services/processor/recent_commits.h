#ifndef PARLEY_SERVICES_PROCESSOR_RECENT_COMMITS_H_
#define PARLEY_SERVICES_PROCESSOR_RECENT_COMMITS_H_

#include <deque>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "parley/base/mutex.h"
#include "parley/pipeline/hop.h"
#include "parley/v1/chat.pb.h"

namespace parley::processor {

// The last committed messages of every room, which processor writes to
// broadcaster again on each new stream: a broadcaster that restarted and
// lost its history gets it back, and one that kept it acknowledges the
// copies as duplicates. Besides the newest `max_per_room` per room, every
// message broadcaster has not acknowledged yet is kept, so the replay
// always starts at or before the oldest of them and stays in sequence
// order. Thread-safe.
class RecentCommits {
 public:
  explicit RecentCommits(size_t max_per_room) : max_per_room_(max_per_room) {}

  // Adds a commit. `acknowledged` is true for a commit broadcaster already
  // has. `trace_id` goes into the replayed item's metadata, so that its log
  // lines keep the client's trace id. Recovered commits have none.
  void Add(const v1::ChatMessage& message, bool acknowledged, const std::string& trace_id = "");

  // Records that broadcaster accepted `room`#`sequence`.
  void MarkAcknowledged(const std::string& room, uint64_t sequence);

  // Returns every room's recent messages as hop items, oldest first per room.
  std::vector<pipeline::Item> ReplayItems() const;

 private:
  struct Entry {
    v1::ChatMessage message;
    bool acknowledged = false;
    std::string trace_id;
  };

  void Evict(std::deque<Entry>& room) const;

  const size_t max_per_room_;
  mutable parley::Mutex mu_;
  absl::flat_hash_map<std::string, std::deque<Entry>> rooms_ ABSL_GUARDED_BY(mu_);
};

}  // namespace parley::processor

#endif  // PARLEY_SERVICES_PROCESSOR_RECENT_COMMITS_H_
