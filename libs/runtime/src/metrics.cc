#include "parley/runtime/metrics.h"

#include <exception>

#include "absl/strings/str_cat.h"
#include "parley/base/status_code_name.h"
#include "parley/runtime/build_info.h"

namespace parley::runtime {
namespace {

// Covers 100 us (an in-process hop) to 30 s (a Send waiting out a long
// client deadline while a downstream service restarts).
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,     10,   30};
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const std::string& address, std::shared_ptr<prometheus::Registry> registry) {
  try {
    auto exposer = std::make_unique<prometheus::Exposer>(address);
    exposer->RegisterCollectable(registry);
    return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(exposer)));
  } catch (const std::exception& error) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", error.what()));
  }
}

int MetricsServer::port() const {
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void RegisterBuildInfo(prometheus::Registry& registry, const std::string& service) {
  prometheus::BuildGauge()
      .Name("parley_build_info")
      .Help("Always 1; labels carry the version and git revision of the running binary.")
      .Register(registry)
      .Add({{"service", service}, {"version", kVersion}, {"revision", kGitRevision}})
      .Set(1);
}

RpcMetrics::RpcMetrics(prometheus::Registry& registry)
    : handled_(prometheus::BuildCounter()
                   .Name("parley_grpc_server_handled_total")
                   .Help("RPCs completed by the server, by method and status code.")
                   .Register(registry)),
      duration_(prometheus::BuildHistogram()
                    .Name("parley_grpc_server_handling_seconds")
                    .Help("Time from the start of an RPC to its status, by method.")
                    .Register(registry)) {}

void RpcMetrics::Observe(const std::string& service, const std::string& method,
                         grpc::StatusCode code, absl::Duration elapsed) {
  prometheus::Counter* counter = nullptr;
  prometheus::Histogram* histogram = nullptr;
  {
    absl::MutexLock lock(&mu_);
    std::string key = absl::StrCat(service, "/", method);
    auto& cached_counter = counters_[{key, static_cast<int>(code)}];
    if (cached_counter == nullptr) {
      cached_counter = &handled_.Add(
          {{"grpc_service", service}, {"grpc_method", method}, {"grpc_code", StatusCodeName(static_cast<absl::StatusCode>(code))}});
    }
    auto& cached_histogram = histograms_[key];
    if (cached_histogram == nullptr) {
      cached_histogram =
          &duration_.Add({{"grpc_service", service}, {"grpc_method", method}}, LatencyBuckets());
    }
    counter = cached_counter;
    histogram = cached_histogram;
  }
  counter->Increment();
  histogram->Observe(absl::ToDoubleSeconds(elapsed));
}

}  // namespace parley::runtime
