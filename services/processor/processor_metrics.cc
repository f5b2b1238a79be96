#include "processor_metrics.h"

namespace parley::processor {
namespace {

prometheus::Family<prometheus::Counter>& Dropped(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("parley_dropped_total")
      .Help("Items dropped before commit, by hop and reason (expired, cancelled).")
      .Register(registry);
}

}  // namespace

ProcessorMetrics::ProcessorMetrics(prometheus::Registry& registry)
    : committed(prometheus::BuildCounter()
                    .Name("parley_processor_committed_total")
                    .Help("Messages given a room sequence number.")
                    .Register(registry)
                    .Add({})),
      duplicates(prometheus::BuildCounter()
                     .Name("parley_processor_duplicates_total")
                     .Help("Submissions whose message id was already in flight or committed.")
                     .Register(registry)
                     .Add({})),
      dropped_expired(Dropped(registry).Add({{"hop", "submit"}, {"reason", "expired"}})),
      dropped_cancelled(Dropped(registry).Add({{"hop", "submit"}, {"reason", "cancelled"}})),
      rejected(prometheus::BuildCounter()
                   .Name("parley_processor_rejected_total")
                   .Help("Submissions refused as malformed.")
                   .Register(registry)
                   .Add({})),
      queue_depth(prometheus::BuildGauge()
                      .Name("parley_processor_queue_depth")
                      .Help("Submissions waiting to be committed.")
                      .Register(registry)
                      .Add({})) {}

}  // namespace parley::processor
