#include "parley/runtime/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <exception>
#include <thread>

#include "parley/base/mutex.h"

#include "absl/strings/str_cat.h"
#include "parley/base/status_code_name.h"
#include "parley/runtime/build_info.h"
#include "parley/runtime/process_collector.h"

namespace parley::runtime {
namespace {

// Covers 100 us (an in-process hop) to 30 s (a Send waiting out a long
// client deadline while a downstream service restarts).
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,     10,   30};
}

// Opens and closes one TCP connection to host:port; errors are ignored.
void WakeListener(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host == "0.0.0.0" ? "127.0.0.1" : host.c_str(), &address.sin_addr) == 1) {
    (void)connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  }
  close(fd);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const std::string& address, std::shared_ptr<prometheus::Registry> registry) {
  try {
    auto exposer = std::make_unique<prometheus::Exposer>(address);
    exposer->RegisterCollectable(registry);
    std::string host = address.substr(0, address.rfind(':'));
    std::unique_ptr<MetricsServer> server(new MetricsServer(std::move(exposer), host));
    // The exposer keeps only a weak pointer, so the server owns the collector.
    server->process_collector_ = std::make_shared<ProcessCollector>();
    server->exposer_->RegisterCollectable(server->process_collector_);
    return server;
  } catch (const std::exception& error) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", error.what()));
  }
}

MetricsServer::~MetricsServer() {
  // civetweb's listener thread polls its socket with a fixed 2 s timeout,
  // and the Exposer's destructor waits for that thread. Connecting to the
  // socket while the destructor runs wakes the poll, so a stop takes
  // milliseconds instead of up to 2 s.
  int port_number = port();
  parley::Notification stopped;
  std::thread stopper([this, &stopped] {
    exposer_.reset();
    stopped.Notify();
  });
  while (!stopped.WaitForNotificationWithTimeout(absl::Milliseconds(10))) {
    WakeListener(host_, port_number);
  }
  stopper.join();
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

void RpcMetrics::Declare(const std::string& service, const std::string& method) {
  SeriesFor(service, method, grpc::StatusCode::OK);
}

void RpcMetrics::Observe(const std::string& service, const std::string& method,
                         grpc::StatusCode code, absl::Duration elapsed) {
  auto [counter, histogram] = SeriesFor(service, method, code);
  counter->Increment();
  histogram->Observe(absl::ToDoubleSeconds(elapsed));
}

std::pair<prometheus::Counter*, prometheus::Histogram*> RpcMetrics::SeriesFor(
    const std::string& service, const std::string& method, grpc::StatusCode code) {
  parley::MutexLock lock(&mu_);
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
  return {cached_counter, cached_histogram};
}

}  // namespace parley::runtime
