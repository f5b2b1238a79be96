#ifndef PARLEY_RUNTIME_METRICS_H_
#define PARLEY_RUNTIME_METRICS_H_

// The Prometheus side of a service: one registry for the process, exposed
// on /metrics, plus the request metrics every gRPC method records.

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "parley/base/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace parley::runtime {

class MetricsServer {
 public:
  // Serves `registry` at http://address/metrics. Fails with UNAVAILABLE
  // when the address cannot be bound. The registry must outlive the server.
  // Also serves the process_* metrics of this process.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      const std::string& address, std::shared_ptr<prometheus::Registry> registry);

  // Stops the endpoint quickly (see the .cc for how).
  ~MetricsServer();

  // Returns the bound port, which differs from the configured one for port 0.
  int port() const;

 private:
  MetricsServer(std::unique_ptr<prometheus::Exposer> exposer, std::string host)
      : exposer_(std::move(exposer)), host_(std::move(host)) {}
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string host_;
  std::shared_ptr<prometheus::Collectable> process_collector_;
};

// Records parley_build_info{service, version, revision} = 1.
void RegisterBuildInfo(prometheus::Registry& registry, const std::string& service);

// Rate, errors and duration of the gRPC methods a server handles, labelled
// by grpc_service, grpc_method and grpc_code. Thread-safe.
class RpcMetrics {
 public:
  explicit RpcMetrics(prometheus::Registry& registry);

  // Creates the series of `method` with code OK at zero, so that a method
  // that has not completed a call yet is still scraped and rate() counts
  // its first call. Call once per method the server serves.
  void Declare(const std::string& service, const std::string& method);

  void Observe(const std::string& service, const std::string& method, grpc::StatusCode code,
               absl::Duration elapsed);

 private:
  // Returns the cached counter and histogram of `method` and `code`.
  std::pair<prometheus::Counter*, prometheus::Histogram*> SeriesFor(const std::string& service,
                                                                    const std::string& method,
                                                                    grpc::StatusCode code);

  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& duration_;
  parley::Mutex mu_;
  // Metric references cached per label set, so a request does no lookup in
  // the family.
  std::map<std::pair<std::string, int>, prometheus::Counter*> counters_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Histogram*> histograms_ ABSL_GUARDED_BY(mu_);
};

}  // namespace parley::runtime

#endif  // PARLEY_RUNTIME_METRICS_H_
