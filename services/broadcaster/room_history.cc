#include "room_history.h"

#include <algorithm>

namespace parley::broadcaster {

void RoomHistory::Append(const EventPtr& event) {
  last_sequence_ = event->message().sequence();
  if (max_messages_ == 0) return;
  if (events_.size() == max_messages_) events_.pop_front();
  events_.push_back(event);
}

std::vector<EventPtr> RoomHistory::From(uint64_t from_sequence) const {
  auto first = std::lower_bound(
      events_.begin(), events_.end(), from_sequence,
      [](const EventPtr& event, uint64_t sequence) { return event->message().sequence() < sequence; });
  return std::vector<EventPtr>(first, events_.end());
}

}  // namespace parley::broadcaster
