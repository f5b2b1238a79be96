#ifndef PARLEY_SERVICES_BROADCASTER_FANOUT_H_
#define PARLEY_SERVICES_BROADCASTER_FANOUT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "parley/base/mutex.h"
#include "broadcaster_metrics.h"
#include "parley/pipeline/hop.h"
#include "room_history.h"
#include "subscriber_queue.h"

namespace parley::broadcaster {

// The broadcaster stage: accepts committed messages in room order, keeps
// recent history and pushes every message to the queue of each subscriber
// of its room. Idempotent by (room, sequence): a message at or below the
// room's last sequence is acknowledged without a second delivery.
// Thread-safe.
class Fanout : public pipeline::Stage {
 public:
  Fanout(size_t history_per_room, BroadcasterMetrics& metrics);

  void Handle(pipeline::Item item, absl::Time deadline, pipeline::OutcomeCallback done) override;
  // Committed messages cannot be withdrawn; cancellations are ignored.
  void Cancel(const std::string& message_id) override;

  // Adds `queue` to its rooms. It first queues the history messages from
  // the queue's from sequence in each room, so that replay and live
  // delivery meet with no gap and no duplicate.
  //
  // A queue with a sender makes that sender a member of its rooms. The
  // first subscription of a sender in a room queues a CHANGE_JOINED
  // presence event for the room's other subscribers, and Unsubscribe of
  // its last one queues CHANGE_LEFT. The subscription that joins or leaves
  // gets no presence event of its own. Presence events are queued under
  // the same lock as messages, so every subscriber of a room receives them at
  // the same place among the room's messages.
  void Subscribe(const std::shared_ptr<SubscriberQueue>& queue);
  void Unsubscribe(const std::shared_ptr<SubscriberQueue>& queue);

  // Returns the members of `room`, sorted by sender.
  std::vector<v1::Member> Members(const std::string& room) const;

  // Closes every subscriber queue with `status` after its queued events.
  void CloseAll(const absl::Status& status);

  // Returns every room's last sequence and the messages in its history.
  std::vector<internal::v1::RoomState> Snapshot() const;

  // A page of one room's history for the History call.
  struct HistoryPage {
    std::vector<EventPtr> messages;     // oldest first
    uint64_t first_available_sequence;  // 0 when the history is empty
  };
  // Returns the newest `limit` messages of `room` below `before_sequence`
  // (0: the newest messages). An unknown room gives an empty page.
  HistoryPage History(const std::string& room, uint64_t before_sequence, size_t limit) const;

  // Blocks until every subscriber has gone or `deadline` passes; returns
  // how many are left.
  size_t WaitUnsubscribed(absl::Time deadline);

  size_t subscribers() const;

 private:
  struct Room {
    explicit Room(size_t history_size) : history(history_size) {}
    RoomHistory history;
    absl::flat_hash_set<std::shared_ptr<SubscriberQueue>> subscribers;
    // Start times of the open subscriptions of each member, by sender.
    std::map<std::string, std::multiset<absl::Time>> members;
  };

  Room& RoomFor(const std::string& name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queues a presence event for every subscriber of `room` and adds the
  // queues to wake to `to_wake`.
  void PushPresence(Room& room, const std::string& room_name, const std::string& sender,
                    v1::Presence::Change change,
                    std::vector<std::shared_ptr<SubscriberQueue>>* to_wake)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t history_per_room_;
  BroadcasterMetrics& metrics_;
  mutable parley::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Room>> rooms_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::shared_ptr<SubscriberQueue>> all_ ABSL_GUARDED_BY(mu_);
};

}  // namespace parley::broadcaster

#endif  // PARLEY_SERVICES_BROADCASTER_FANOUT_H_
