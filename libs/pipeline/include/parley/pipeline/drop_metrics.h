#ifndef PARLEY_PIPELINE_DROP_METRICS_H_
#define PARLEY_PIPELINE_DROP_METRICS_H_

#include <string>

#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace parley::pipeline {

// Returns parley_dropped_total{hop, reason}: messages a hop gave up on
// before commit, because their deadline passed ("expired") or their client
// cancelled ("cancelled"). Every service registers the family through here,
// so its help text is the same everywhere.
prometheus::Counter& DroppedCounter(prometheus::Registry& registry, const std::string& hop,
                                    const std::string& reason);

}  // namespace parley::pipeline

#endif  // PARLEY_PIPELINE_DROP_METRICS_H_
