#ifndef PARLEY_SERVICES_BROADCASTER_SUBSCRIBER_QUEUE_H_
#define PARLEY_SERVICES_BROADCASTER_SUBSCRIBER_QUEUE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "parley/base/mutex.h"
#include "parley/v1/chat.pb.h"
#include "prometheus/gauge.h"
#include "shared_event.h"

namespace parley::broadcaster {

// Bounds on the events waiting for one subscriber.
struct QueueLimits {
  size_t max_messages = 1024;  // subscribers.max_queued_messages
  // Serialized bytes of the queued events (subscribers.max_queued_bytes).
  // An event larger than this still enters an empty queue.
  size_t max_bytes = 4 << 20;
};

// Gauges that sum the queued events and their serialized bytes over all
// subscribers. Either may be null, and both must outlive the queue.
struct QueueGauges {
  prometheus::Gauge* events = nullptr;
  prometheus::Gauge* bytes = nullptr;
};

// The events waiting for one subscriber, independent of the transport: the
// fan-out pushes, the subscriber's stream pulls. Bounded: a subscriber that
// falls behind is closed with RESOURCE_EXHAUSTED, so that it never slows the
// pipeline or other subscribers. Thread-safe.
class SubscriberQueue {
 public:
  // `from_sequence` maps each room to the first sequence wanted there (0 or
  // absent: whatever comes next). A non-empty `sender` makes the subscriber
  // a member of its rooms, with presence events for the others.
  SubscriberQueue(uint64_t id, std::vector<std::string> rooms,
                  const absl::flat_hash_map<std::string, uint64_t>& from_sequence,
                  QueueLimits limits, std::string sender = {}, QueueGauges gauges = {});
  // Takes the events still queued off the gauges.
  ~SubscriberQueue();

  SubscriberQueue(const SubscriberQueue&) = delete;
  SubscriberQueue& operator=(const SubscriberQueue&) = delete;

  // Returns the first sequence wanted in `room`, 0 for live events only.
  uint64_t FromSequence(const std::string& room) const;

  uint64_t id() const { return id_; }
  const std::vector<std::string>& rooms() const { return rooms_; }
  const std::string& sender() const { return sender_; }
  absl::Time started() const { return started_; }

  // Queues a message or presence event. For messages it skips sequences
  // before the wanted one and puts a Gap event first when sequences are
  // missing. Returns true when the transport should be woken up.
  bool Push(const EventPtr& event);

  // Like Push, for a message replayed from the room's history when the
  // subscriber starts. Replayed events do not count toward the limits:
  // history already keeps them in memory, and a subscriber resuming far back
  // must be able to take its whole backlog. Only live events can end the
  // queue.
  bool PushReplayed(const EventPtr& event);

  // Ends the stream with `status` once the queued events are written, or
  // right away when `discard_queued`. The first close wins. Returns true when
  // the transport should be woken up.
  bool Close(const absl::Status& status, bool discard_queued);

  // The transport's next step: an event to write, an end status, or
  // neither (wait). The end status names the last sequence delivered per
  // room, so the client knows where to resume.
  struct Next {
    EventPtr event;                    // write this, or
    std::optional<absl::Status> end;   // finish with this, or neither: wait
  };
  Next Pop();

  // Records that `event` reached the subscriber.
  void MarkDelivered(const SharedEvent& event);

  // Returns "room#sequence" of the last delivered message per room, for
  // status messages that tell a client where to resume.
  std::string DescribeResumePoint() const;

  // Sets the function that wakes the transport. Detach clears it and
  // waits for a wake-up in progress to return.
  void SetWake(std::function<void()> wake);
  void Wake();
  void Detach();

  bool closed() const;

 private:
  std::string DescribeResumePointLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Appends `event`, or closes the queue with RESOURCE_EXHAUSTED when it
  // would pass a limit. Returns true when the transport should be woken up.
  bool EnqueueLocked(EventPtr event, bool replayed) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool PushLocked(const EventPtr& event, bool replayed) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops every queued event.
  void ClearLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds to the queued events and bytes of the gauges (negative to take off).
  void CountLocked(double events, double bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const uint64_t id_;
  const std::vector<std::string> rooms_;
  const std::string sender_;
  const absl::Time started_ = absl::Now();
  const QueueLimits limits_;
  const QueueGauges gauges_;
  const absl::flat_hash_map<std::string, uint64_t> from_sequence_;

  mutable parley::Mutex mu_;
  std::deque<EventPtr> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // Replayed events at the front of queue_ and their bytes, which the
  // limits leave out. Replay happens before any live event is queued.
  size_t replayed_events_ ABSL_GUARDED_BY(mu_) = 0;
  size_t replayed_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // Next sequence expected per room; 0 until the first event of the room.
  absl::flat_hash_map<std::string, uint64_t> next_sequence_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint64_t> delivered_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> end_ ABSL_GUARDED_BY(mu_);

  parley::Mutex wake_mu_;
  std::function<void()> wake_ ABSL_GUARDED_BY(wake_mu_);
};

}  // namespace parley::broadcaster

#endif  // PARLEY_SERVICES_BROADCASTER_SUBSCRIBER_QUEUE_H_
