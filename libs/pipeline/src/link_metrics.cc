#include "parley/pipeline/link_metrics.h"

namespace parley::pipeline {
namespace {

prometheus::Counter* AddCounter(prometheus::Registry& registry, const std::string& name,
                                const std::string& help, const std::string& link) {
  return &prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add(
      {{"link", link}});
}

prometheus::Gauge* AddGauge(prometheus::Registry& registry, const std::string& name,
                            const std::string& help, const std::string& link) {
  return &prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add(
      {{"link", link}});
}

}  // namespace

LinkMetrics LinkMetrics::Create(prometheus::Registry& registry, const std::string& link) {
  return LinkMetrics{
      AddGauge(registry, "parley_link_connected", "1 while the link's stream is established.",
               link),
      AddGauge(registry, "parley_link_pending_items",
               "Items sent on the link that have no outcome yet.", link),
      AddCounter(registry, "parley_link_item_writes_total",
                 "Items written to the link's stream, resends included.", link),
      AddCounter(registry, "parley_link_resends_total",
                 "Items written again after the stream was re-established.", link),
      AddCounter(registry, "parley_link_reconnects_total",
                 "Attempts to re-establish the link's stream.", link),
      AddCounter(registry, "parley_link_expired_total",
                 "Items whose deadline passed while waiting in the link.", link),
      AddCounter(registry, "parley_link_rejected_total",
                 "Items refused because the link was full or closing.", link),
  };
}

}  // namespace parley::pipeline
