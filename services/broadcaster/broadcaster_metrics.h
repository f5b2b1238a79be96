#ifndef PARLEY_SERVICES_BROADCASTER_BROADCASTER_METRICS_H_
#define PARLEY_SERVICES_BROADCASTER_BROADCASTER_METRICS_H_

#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace parley::broadcaster {

struct BroadcasterMetrics {
  explicit BroadcasterMetrics(prometheus::Registry& registry);

  prometheus::Counter& accepted;         // committed messages taken for fan-out
  prometheus::Counter& duplicates;       // re-sent messages already held
  prometheus::Counter& events_serialized;  // message and presence events serialized
  prometheus::Counter& events_written;   // events written to subscriber streams
  prometheus::Counter& bytes_written;    // serialized size of those events
  prometheus::Gauge& history_messages;   // messages held in history, all rooms
  prometheus::Counter& slow_disconnects; // subscribers ended for falling behind
  prometheus::Gauge& subscribers;
  prometheus::Gauge& rooms;
  prometheus::Gauge& queued_events;      // waiting in subscriber queues, all subscribers
  prometheus::Gauge& queued_bytes;       // serialized size of those events
};

}  // namespace parley::broadcaster

#endif  // PARLEY_SERVICES_BROADCASTER_BROADCASTER_METRICS_H_
