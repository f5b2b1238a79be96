#ifndef PARLEY_SERVICES_PROCESSOR_SEQUENCER_H_
#define PARLEY_SERVICES_PROCESSOR_SEQUENCER_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "parley/internal/v1/pipeline.pb.h"
#include "parley/v1/chat.pb.h"

namespace parley::processor {

// Turns accepted submissions into committed messages: assigns each room's
// next sequence number (starting at 1) and the commit time. Not
// thread-safe: one thread commits, which is what orders a room.
class Sequencer {
 public:
  v1::ChatMessage Commit(const internal::v1::Submission& submission,
                         const std::string& message_id, absl::Time now);

  // Continues `room` after `last_sequence` unless it is already further.
  void Seed(const std::string& room, uint64_t last_sequence);

  // Returns the last sequence number of `room`, 0 if it has none.
  uint64_t Last(const std::string& room) const;

  size_t rooms() const { return last_.size(); }

 private:
  // Seeded from broadcaster at start. TODO: rooms whose messages were all
  // lost with a broadcaster restart start again at 1; durable state would
  // keep their numbering.
  absl::flat_hash_map<std::string, uint64_t> last_;
};

}  // namespace parley::processor

#endif  // PARLEY_SERVICES_PROCESSOR_SEQUENCER_H_
