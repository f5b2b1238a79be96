#include "recent_commits.h"

#include <algorithm>

namespace parley::processor {

void RecentCommits::Add(const v1::ChatMessage& message, bool acknowledged,
                        const std::string& trace_id) {
  parley::MutexLock lock(&mu_);
  std::deque<Entry>& room = rooms_[message.room()];
  if (!room.empty() && message.sequence() <= room.back().message.sequence()) return;
  room.push_back(Entry{message, acknowledged, trace_id});
  Evict(room);
}

void RecentCommits::MarkAcknowledged(const std::string& room_name, uint64_t sequence) {
  parley::MutexLock lock(&mu_);
  auto it = rooms_.find(room_name);
  if (it == rooms_.end()) return;
  std::deque<Entry>& room = it->second;
  auto entry = std::lower_bound(room.begin(), room.end(), sequence,
                                [](const Entry& e, uint64_t s) { return e.message.sequence() < s; });
  if (entry != room.end() && entry->message.sequence() == sequence) entry->acknowledged = true;
  Evict(room);
}

void RecentCommits::Evict(std::deque<Entry>& room) const {
  while (room.size() > max_per_room_ && room.front().acknowledged) room.pop_front();
}

std::vector<pipeline::Item> RecentCommits::ReplayItems() const {
  std::vector<pipeline::Item> items;
  parley::MutexLock lock(&mu_);
  for (const auto& [name, room] : rooms_) {
    for (const Entry& entry : room) {
      pipeline::Item& item = items.emplace_back();
      item.mutable_metadata()->set_message_id(entry.message.message_id());
      item.mutable_metadata()->set_trace_id(entry.trace_id);
      *item.mutable_committed() = entry.message;
    }
  }
  return items;
}

}  // namespace parley::processor
