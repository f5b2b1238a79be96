#include "broadcaster_metrics.h"

namespace parley::broadcaster {
namespace {

prometheus::Counter& Counter(prometheus::Registry& registry, const std::string& name,
                             const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Gauge& Gauge(prometheus::Registry& registry, const std::string& name,
                         const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

BroadcasterMetrics::BroadcasterMetrics(prometheus::Registry& registry)
    : accepted(Counter(registry, "parley_broadcaster_accepted_total",
                       "Committed messages accepted for fan-out.")),
      duplicates(Counter(registry, "parley_broadcaster_duplicates_total",
                         "Committed messages received again and acknowledged without delivery.")),
      events_serialized(
          Counter(registry, "parley_broadcaster_events_serialized_total",
                  "Message and presence events serialized for fan-out, once each however many "
                  "subscribers receive them.")),
      events_written(Counter(registry, "parley_broadcaster_events_written_total",
                             "Events written to subscriber streams.")),
      bytes_written(Counter(registry, "parley_broadcaster_event_bytes_written_total",
                            "Serialized bytes of the events written to subscriber streams.")),
      history_messages(Gauge(registry, "parley_broadcaster_history_messages",
                             "Messages held in history for resume, over all rooms.")),
      slow_disconnects(Counter(registry, "parley_broadcaster_slow_subscriber_disconnects_total",
                               "Subscribers ended with RESOURCE_EXHAUSTED for falling behind.")),
      subscribers(Gauge(registry, "parley_broadcaster_subscribers", "Open Subscribe streams.")),
      rooms(Gauge(registry, "parley_broadcaster_rooms", "Rooms with history or subscribers.")),
      queued_events(Gauge(registry, "parley_broadcaster_queued_events",
                          "Events waiting in subscriber queues, over all subscribers.")),
      queued_bytes(Gauge(registry, "parley_broadcaster_queued_event_bytes",
                         "Serialized bytes of the events waiting in subscriber queues.")) {}

}  // namespace parley::broadcaster
