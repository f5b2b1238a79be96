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

std::vector<EventPtr> RoomHistory::Before(uint64_t before_sequence, size_t limit) const {
  auto end = events_.end();
  if (before_sequence != 0) {
    end = std::lower_bound(events_.begin(), events_.end(), before_sequence,
                           [](const EventPtr& event, uint64_t sequence) {
                             return event->message().sequence() < sequence;
                           });
  }
  auto begin = end - static_cast<std::ptrdiff_t>(
                         std::min(limit, static_cast<size_t>(end - events_.begin())));
  return std::vector<EventPtr>(begin, end);
}

uint64_t RoomHistory::first_sequence() const {
  return events_.empty() ? 0 : events_.front()->message().sequence();
}

}  // namespace parley::broadcaster
