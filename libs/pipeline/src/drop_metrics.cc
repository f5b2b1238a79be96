#include "parley/pipeline/drop_metrics.h"

#include "prometheus/family.h"

namespace parley::pipeline {

prometheus::Counter& DroppedCounter(prometheus::Registry& registry, const std::string& hop,
                                    const std::string& reason) {
  return prometheus::BuildCounter()
      .Name("parley_dropped_total")
      .Help("Messages dropped before commit, by hop and reason (expired, cancelled).")
      .Register(registry)
      .Add({{"hop", hop}, {"reason", reason}});
}

}  // namespace parley::pipeline
