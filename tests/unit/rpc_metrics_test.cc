#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "parley/runtime/metrics.h"
#include "prometheus/registry.h"

namespace parley::runtime {
namespace {

// Returns the family `name` from `registry`, or an empty family.
prometheus::MetricFamily FamilyNamed(prometheus::Registry& registry, const std::string& name) {
  for (prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name == name) return family;
  }
  return {};
}

std::string LabelValue(const prometheus::ClientMetric& metric, const std::string& label) {
  for (const prometheus::ClientMetric::Label& pair : metric.label) {
    if (pair.name == label) return pair.value;
  }
  return "";
}

TEST(RpcMetrics, DeclareCreatesOkSeriesAtZero) {
  prometheus::Registry registry;
  RpcMetrics metrics(registry);
  metrics.Declare("parley.v1.Intake", "Send");

  prometheus::MetricFamily handled = FamilyNamed(registry, "parley_grpc_server_handled_total");
  ASSERT_EQ(handled.metric.size(), 1u);
  EXPECT_EQ(LabelValue(handled.metric[0], "grpc_service"), "parley.v1.Intake");
  EXPECT_EQ(LabelValue(handled.metric[0], "grpc_method"), "Send");
  EXPECT_EQ(LabelValue(handled.metric[0], "grpc_code"), "OK");
  EXPECT_EQ(handled.metric[0].counter.value, 0);

  prometheus::MetricFamily duration =
      FamilyNamed(registry, "parley_grpc_server_handling_seconds");
  ASSERT_EQ(duration.metric.size(), 1u);
  EXPECT_EQ(duration.metric[0].histogram.sample_count, 0u);
}

TEST(RpcMetrics, ObserveCountsByCodeAfterDeclare) {
  prometheus::Registry registry;
  RpcMetrics metrics(registry);
  metrics.Declare("parley.v1.Intake", "Send");
  metrics.Observe("parley.v1.Intake", "Send", grpc::StatusCode::OK, absl::Milliseconds(2));
  metrics.Observe("parley.v1.Intake", "Send", grpc::StatusCode::INVALID_ARGUMENT,
                  absl::Microseconds(50));

  prometheus::MetricFamily handled = FamilyNamed(registry, "parley_grpc_server_handled_total");
  ASSERT_EQ(handled.metric.size(), 2u);
  for (const prometheus::ClientMetric& metric : handled.metric) {
    EXPECT_EQ(metric.counter.value, 1) << LabelValue(metric, "grpc_code");
  }
  prometheus::MetricFamily duration =
      FamilyNamed(registry, "parley_grpc_server_handling_seconds");
  ASSERT_EQ(duration.metric.size(), 1u);
  EXPECT_EQ(duration.metric[0].histogram.sample_count, 2u);
}

}  // namespace
}  // namespace parley::runtime
