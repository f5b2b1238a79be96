#ifndef PARLEY_SERVICES_PROCESSOR_PROCESSOR_METRICS_H_
#define PARLEY_SERVICES_PROCESSOR_PROCESSOR_METRICS_H_

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace parley::processor {

struct ProcessorMetrics {
  explicit ProcessorMetrics(prometheus::Registry& registry);

  prometheus::Counter& committed;
  prometheus::Counter& duplicates;
  prometheus::Counter& dropped_expired;
  prometheus::Counter& dropped_cancelled;
  prometheus::Counter& rejected;
  // parley_processor_moderated_total{action="reject"} and {action="mask"}.
  prometheus::Counter& moderation_rejected;
  prometheus::Counter& moderation_masked;
  prometheus::Gauge& queue_depth;
};

}  // namespace parley::processor

#endif  // PARLEY_SERVICES_PROCESSOR_PROCESSOR_METRICS_H_
