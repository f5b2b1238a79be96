#include "recent_commits.h"

namespace parley::processor {

void RecentCommits::Add(const v1::ChatMessage& message) {
  if (max_per_room_ == 0) return;
  parley::MutexLock lock(&mu_);
  std::deque<v1::ChatMessage>& room = rooms_[message.room()];
  if (!room.empty() && message.sequence() <= room.back().sequence()) return;
  if (room.size() == max_per_room_) room.pop_front();
  room.push_back(message);
}

std::vector<pipeline::Item> RecentCommits::ReplayItems() const {
  std::vector<pipeline::Item> items;
  parley::MutexLock lock(&mu_);
  for (const auto& [name, room] : rooms_) {
    for (const v1::ChatMessage& message : room) {
      pipeline::Item& item = items.emplace_back();
      item.mutable_metadata()->set_message_id(message.message_id());
      *item.mutable_committed() = message;
    }
  }
  return items;
}

}  // namespace parley::processor
