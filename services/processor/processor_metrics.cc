#include "processor_metrics.h"

#include "parley/pipeline/drop_metrics.h"

namespace parley::processor {
namespace {

prometheus::Family<prometheus::Counter>& ModeratedFamily(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("parley_processor_moderated_total")
      .Help("Submissions that contained a word of the moderation list, by the action taken.")
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
      dropped_expired(pipeline::DroppedCounter(registry, "processor", "expired")),
      dropped_cancelled(pipeline::DroppedCounter(registry, "processor", "cancelled")),
      rejected(prometheus::BuildCounter()
                   .Name("parley_processor_rejected_total")
                   .Help("Submissions refused as malformed.")
                   .Register(registry)
                   .Add({})),
      moderation_rejected(ModeratedFamily(registry).Add({{"action", "reject"}})),
      moderation_masked(ModeratedFamily(registry).Add({{"action", "mask"}})),
      queue_depth(prometheus::BuildGauge()
                      .Name("parley_processor_queue_depth")
                      .Help("Submissions waiting to be committed.")
                      .Register(registry)
                      .Add({})) {}

}  // namespace parley::processor
