#include "fanout.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "parley/runtime/logging.h"

namespace parley::broadcaster {

Fanout::Fanout(size_t history_per_room, BroadcasterMetrics& metrics)
    : history_per_room_(history_per_room), metrics_(metrics) {}

Fanout::Room& Fanout::RoomFor(const std::string& name) {
  auto& room = rooms_[name];
  if (room == nullptr) {
    room = std::make_unique<Room>(history_per_room_);
    metrics_.rooms.Set(static_cast<double>(rooms_.size()));
  }
  return *room;
}

void Fanout::Handle(pipeline::Item item, absl::Time /*deadline*/, pipeline::OutcomeCallback done) {
  if (!item.has_committed() || item.committed().room().empty() ||
      item.committed().sequence() == 0) {
    done(absl::InvalidArgumentError("item needs a committed message with a room and sequence"));
    return;
  }
  pipeline::Commit commit;
  commit.set_room(item.committed().room());
  commit.set_sequence(item.committed().sequence());
  *commit.mutable_commit_time() = item.committed().commit_time();

  // Serialized once here, outside the lock, for every subscriber.
  v1::Event message_event;
  *message_event.mutable_message() = std::move(*item.mutable_committed());
  EventPtr event = MakeSharedEvent(std::move(message_event));
  metrics_.events_serialized.Increment();

  std::vector<std::shared_ptr<SubscriberQueue>> to_wake;
  {
    parley::MutexLock lock(&mu_);
    Room& room = RoomFor(commit.room());
    uint64_t last = room.history.last_sequence();
    if (commit.sequence() <= last) {
      metrics_.duplicates.Increment();
      runtime::Logger("fanout")->debug("duplicate message_id={} trace_id={} at {}#{}",
                                       item.metadata().message_id(), item.metadata().trace_id(),
                                       commit.room(), commit.sequence());
    } else {
      if (last != 0 && commit.sequence() != last + 1) {
        runtime::Logger("fanout")->warn("room {} jumps from sequence {} to {}", commit.room(),
                                        last, commit.sequence());
      }
      size_t before = room.history.size();
      room.history.Append(event);
      metrics_.history_messages.Increment(static_cast<double>(room.history.size() - before));
      metrics_.accepted.Increment();
      runtime::Logger("fanout")->debug("accepted message_id={} trace_id={} as {}#{}",
                                       item.metadata().message_id(), item.metadata().trace_id(),
                                       commit.room(), commit.sequence());
      for (const auto& queue : room.subscribers) {
        if (queue->Push(event)) to_wake.push_back(queue);
      }
    }
  }
  // Wake outside the lock: a wake-up may start a gRPC write.
  for (const auto& queue : to_wake) queue->Wake();
  done(commit);
}

void Fanout::Cancel(const std::string& /*message_id*/) {}

void Fanout::Subscribe(const std::shared_ptr<SubscriberQueue>& queue) {
  std::vector<std::shared_ptr<SubscriberQueue>> to_wake = {queue};
  {
    parley::MutexLock lock(&mu_);
    for (const std::string& name : queue->rooms()) {
      Room& room = RoomFor(name);
      uint64_t from_sequence = queue->FromSequence(name);
      if (from_sequence > 0) {
        for (const EventPtr& event : room.history.From(from_sequence)) {
          queue->PushReplayed(event);
        }
      }
      if (!queue->sender().empty()) {
        std::multiset<absl::Time>& starts = room.members[queue->sender()];
        if (starts.empty()) {
          PushPresence(room, name, queue->sender(), v1::Presence::CHANGE_JOINED, &to_wake);
        }
        starts.insert(queue->started());
      }
      room.subscribers.insert(queue);
    }
    all_.insert(queue);
    metrics_.subscribers.Set(static_cast<double>(all_.size()));
  }
  for (const auto& waking : to_wake) waking->Wake();
}

void Fanout::Unsubscribe(const std::shared_ptr<SubscriberQueue>& queue) {
  std::vector<std::shared_ptr<SubscriberQueue>> to_wake;
  {
    parley::MutexLock lock(&mu_);
    for (const std::string& name : queue->rooms()) {
      auto it = rooms_.find(name);
      if (it == rooms_.end()) continue;
      Room& room = *it->second;
      if (room.subscribers.erase(queue) == 0 || queue->sender().empty()) continue;

      auto member = room.members.find(queue->sender());
      member->second.erase(member->second.find(queue->started()));
      if (member->second.empty()) {
        room.members.erase(member);
        PushPresence(room, name, queue->sender(), v1::Presence::CHANGE_LEFT, &to_wake);
      }
    }
    all_.erase(queue);
    metrics_.subscribers.Set(static_cast<double>(all_.size()));
  }
  for (const auto& waking : to_wake) waking->Wake();
}

void Fanout::PushPresence(Room& room, const std::string& room_name, const std::string& sender,
                          v1::Presence::Change change,
                          std::vector<std::shared_ptr<SubscriberQueue>>* to_wake) {
  if (room.subscribers.empty()) return;
  v1::Event presence_event;
  v1::Presence* presence = presence_event.mutable_presence();
  presence->set_room(room_name);
  presence->set_sender(sender);
  presence->set_change(change);
  *presence->mutable_time() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(absl::Now()));
  EventPtr event = MakeSharedEvent(std::move(presence_event));
  metrics_.events_serialized.Increment();
  for (const auto& queue : room.subscribers) {
    if (queue->Push(event)) to_wake->push_back(queue);
  }
}

std::vector<v1::Member> Fanout::Members(const std::string& room) const {
  std::vector<v1::Member> members;
  parley::MutexLock lock(&mu_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return members;
  for (const auto& [sender, starts] : it->second->members) {
    v1::Member& member = members.emplace_back();
    member.set_sender(sender);
    *member.mutable_since() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
        absl::ToUnixNanos(*starts.begin()));
    member.set_subscriptions(static_cast<uint32_t>(starts.size()));
  }
  return members;
}

void Fanout::CloseAll(const absl::Status& status) {
  std::vector<std::shared_ptr<SubscriberQueue>> queues;
  {
    parley::MutexLock lock(&mu_);
    queues.assign(all_.begin(), all_.end());
  }
  for (const auto& queue : queues) {
    if (queue->Close(status, /*discard_queued=*/false)) queue->Wake();
  }
}

std::vector<internal::v1::RoomState> Fanout::Snapshot() const {
  std::vector<internal::v1::RoomState> states;
  parley::MutexLock lock(&mu_);
  for (const auto& [name, room] : rooms_) {
    internal::v1::RoomState& state = states.emplace_back();
    state.set_room(name);
    state.set_last_sequence(room->history.last_sequence());
    for (const EventPtr& event : room->history.events()) {
      *state.add_recent() = event->message();
    }
  }
  return states;
}

Fanout::HistoryPage Fanout::History(const std::string& room, uint64_t before_sequence,
                                    size_t limit) const {
  parley::MutexLock lock(&mu_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return {{}, 0};
  const RoomHistory& history = it->second->history;
  return {history.Before(before_sequence, limit), history.first_sequence()};
}

size_t Fanout::WaitUnsubscribed(absl::Time deadline) {
  parley::MutexLock lock(&mu_);
  auto none = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return all_.empty(); };
  mu_.AwaitWithDeadline(none, deadline);
  return all_.size();
}

size_t Fanout::subscribers() const {
  parley::MutexLock lock(&mu_);
  return all_.size();
}

}  // namespace parley::broadcaster
