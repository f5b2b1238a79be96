#ifndef PARLEY_PIPELINE_LINK_METRICS_H_
#define PARLEY_PIPELINE_LINK_METRICS_H_

#include <string>

#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace parley::pipeline {

// Metrics of one StreamLink, labelled link="<name>". The registry must
// outlive the link.
struct LinkMetrics {
  static LinkMetrics Create(prometheus::Registry& registry, const std::string& link);

  prometheus::Gauge* connected;    // 1 while the stream is up
  prometheus::Gauge* pending;      // items waiting for an outcome
  prometheus::Counter* sent;       // item writes, first sends and resends
  prometheus::Counter* resent;     // writes of an item after a reconnect
  prometheus::Counter* reconnects; // connection attempts after the first
  prometheus::Counter* expired;    // items whose deadline passed in the link
  prometheus::Counter* rejected;   // items refused because the link was full or closed
};

}  // namespace parley::pipeline

#endif  // PARLEY_PIPELINE_LINK_METRICS_H_
