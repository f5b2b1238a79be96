#ifndef PARLEY_RUNTIME_PROCESS_COLLECTOR_H_
#define PARLEY_RUNTIME_PROCESS_COLLECTOR_H_

// The standard process_* metrics, which prometheus-cpp does not provide:
// CPU time, memory, file descriptors, threads and start time, read from
// /proc/self at every scrape.

#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace parley::runtime {

class ProcessCollector : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace parley::runtime

#endif  // PARLEY_RUNTIME_PROCESS_COLLECTOR_H_
