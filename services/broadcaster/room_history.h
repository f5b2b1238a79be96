#ifndef PARLEY_SERVICES_BROADCASTER_ROOM_HISTORY_H_
#define PARLEY_SERVICES_BROADCASTER_ROOM_HISTORY_H_

#include <cstdint>
#include <deque>
#include <vector>

#include "subscriber_queue.h"

namespace parley::broadcaster {

// The most recent committed messages of one room, oldest first, for
// resuming subscribers. Not thread-safe: the fan-out guards it.
class RoomHistory {
 public:
  explicit RoomHistory(size_t max_messages) : max_messages_(max_messages) {}

  // Appends `event`, evicting the oldest message when full.
  void Append(const EventPtr& event);

  // Returns the messages with a sequence of at least `from_sequence`.
  std::vector<EventPtr> From(uint64_t from_sequence) const;

  // Returns the newest `limit` messages with a sequence below
  // `before_sequence` (0: no bound), oldest first.
  std::vector<EventPtr> Before(uint64_t before_sequence, size_t limit) const;

  // Returns the sequence of the oldest message held, 0 when empty.
  uint64_t first_sequence() const;

  const std::deque<EventPtr>& events() const { return events_; }

  // Returns the sequence of the newest message ever appended, 0 if none.
  uint64_t last_sequence() const { return last_sequence_; }
  size_t size() const { return events_.size(); }

 private:
  const size_t max_messages_;
  std::deque<EventPtr> events_;
  uint64_t last_sequence_ = 0;
};

}  // namespace parley::broadcaster

#endif  // PARLEY_SERVICES_BROADCASTER_ROOM_HISTORY_H_
