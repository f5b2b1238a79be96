#ifndef PARLEY_RUNTIME_SERVICE_HOST_H_
#define PARLEY_RUNTIME_SERVICE_HOST_H_

// The process around a Parley service: gRPC server with health checking
// and reflection, Prometheus endpoint, systemd notifications, and the
// graceful shutdown sequence that SIGTERM starts.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "parley/base/cancellation.h"
#include "grpcpp/server_builder.h"
#include "parley/config/common.h"
#include "parley/runtime/metrics.h"
#include "parley/runtime/shutdown_signals.h"
#include "parley/runtime/systemd_notifier.h"
#include "prometheus/registry.h"

namespace parley::runtime {

// The interface a service implements for the host. The host calls these
// from its main thread, in the order they are declared.
class Service {
 public:
  virtual ~Service() = default;

  // Adds the service's gRPC services to the server.
  virtual void Register(grpc::ServerBuilder& builder) = 0;
  // Runs once the server listens: connects links, starts worker threads.
  virtual void Start() = 0;
  // Returns one line for STATUS= and the logs, such as link states.
  virtual std::string Describe() = 0;
  // Returns false when the service is wedged; the watchdog then stops pinging.
  virtual bool Healthy() = 0;

  // Shutdown, step 1: new work is rejected with UNAVAILABLE from now on.
  virtual void StopAccepting() = 0;
  // Step 2: blocks until the work in flight is done or `deadline` passes,
  // and returns how many items are still in flight.
  virtual size_t WaitDrained(absl::Time deadline) = 0;
  // Step 3: half-closes downstream streams after their last item, waiting
  // for outstanding outcomes until `deadline`.
  virtual void CloseDownstream(absl::Time deadline) = 0;
  // Step 4: ends the long-lived server streams this service holds open
  // (subscriptions, upstream hops), so that Server::Shutdown need not wait.
  virtual void EndStreams() = 0;
  // Step 5, after Server::Shutdown returned: joins the service's threads.
  virtual void Stop() = 0;
};

class ServiceHost {
 public:
  ServiceHost(std::string name, config::ServerConfig config);

  prometheus::Registry& registry() { return *registry_; }

  // The root of the process's cancellation tree: cancelled, with the
  // reason, when the drain ends with work still in flight, and in any case
  // when the service stops. Work hangs its own cancellation off it.
  CancellationSource& shutdown() { return shutdown_; }
  RpcMetrics& rpc_metrics() { return *rpc_metrics_; }

  // Starts the metrics endpoint and the gRPC server, starts `service` and
  // notifies READY. `service` must outlive the host.
  absl::Status Start(Service& service);

  // Blocks until SIGTERM or SIGINT, runs the shutdown sequence and returns
  // the process exit code.
  int RunUntilSignal();

 private:
  void Drain();

  std::string name_;
  config::ServerConfig config_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<RpcMetrics> rpc_metrics_;
  prometheus::Gauge& drain_started_;   // Unix time the drain began, 0 before
  prometheus::Gauge& drain_in_flight_; // items still in flight while draining
  prometheus::Gauge& drain_duration_;  // length of the drain, set when it ends
  std::unique_ptr<MetricsServer> metrics_server_;
  std::unique_ptr<grpc::Server> server_;
  Service* service_ = nullptr;
  CancellationSource shutdown_;
  ShutdownSignals signals_;
  SystemdNotifier notifier_;
};

}  // namespace parley::runtime

#endif  // PARLEY_RUNTIME_SERVICE_HOST_H_
