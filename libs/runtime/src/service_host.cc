#include "parley/runtime/service_host.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "parley/runtime/grpc_options.h"
#include "parley/runtime/logging.h"

namespace parley::runtime {
namespace {

std::string HostOf(const std::string& address) { return address.substr(0, address.rfind(':')); }

}  // namespace

ServiceHost::ServiceHost(std::string name, config::ServerConfig config)
    : name_(std::move(name)),
      config_(std::move(config)),
      registry_(std::make_shared<prometheus::Registry>()),
      rpc_metrics_(std::make_unique<RpcMetrics>(*registry_)),
      drain_started_(prometheus::BuildGauge()
                         .Name("parley_drain_started_timestamp_seconds")
                         .Help("Unix time at which the shutdown drain began; 0 while serving.")
                         .Register(*registry_)
                         .Add({})),
      drain_in_flight_(prometheus::BuildGauge()
                           .Name("parley_drain_in_flight_items")
                           .Help("Work items still in flight during the shutdown drain.")
                           .Register(*registry_)
                           .Add({})),
      drain_duration_(prometheus::BuildGauge()
                          .Name("parley_drain_duration_seconds")
                          .Help("Length of the shutdown drain in seconds, set when it ends; 0 "
                                "before.")
                          .Register(*registry_)
                          .Add({})) {
  RegisterBuildInfo(*registry_, name_);
}

absl::Status ServiceHost::Start(Service& service) {
  auto logger = Logger(name_);
  service_ = &service;

  // 1. Metrics first: a taken port fails the start before READY.
  auto metrics = MetricsServer::Start(config_.metrics_listen, registry_);
  if (!metrics.ok()) return metrics.status();
  metrics_server_ = std::move(*metrics);

  // 2. The gRPC server with health checking and reflection.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config_.listen, grpc::InsecureServerCredentials(), &port);
  ApplyServerOptions(builder, config_);
  service.Register(builder);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot serve gRPC on ", config_.listen));
  }

  // 3. Links and workers, then READY with the bound addresses.
  service.Start();
  std::string status =
      absl::StrCat("serving gRPC on ", HostOf(config_.listen), ":", port, ", metrics on ",
                   HostOf(config_.metrics_listen), ":", metrics_server_->port(), "; ",
                   service.Describe());
  logger->info("{}", status);
  notifier_.Ready(status);
  notifier_.StartWatchdog([&service] { return service.Healthy(); });
  return absl::OkStatus();
}

int ServiceHost::RunUntilSignal() {
  auto logger = Logger(name_);
  signals_.first().WaitForNotification();
  absl::Time started = absl::Now();

  // 1. Stop taking new work: health goes NOT_SERVING, new work UNAVAILABLE.
  notifier_.Stopping("draining");
  server_->GetHealthCheckService()->SetServingStatus(false);
  service_->StopAccepting();

  // 2. Drain the work in flight.
  Drain();

  // 3. Half-close downstream after the last item.
  service_->CloseDownstream(absl::Now() + config_.shutdown_grace);

  // 4. End the long-lived streams, then shut the server down.
  service_->EndStreams();
  notifier_.Status("shutting down the gRPC server");
  server_->Shutdown(absl::ToChronoTime(absl::Now() + config_.shutdown_grace));
  server_->Wait();

  // 5. Cancel whatever is left and join the service's threads.
  shutdown_.Cancel(absl::UnavailableError(absl::StrCat(name_, " stopped")));
  service_->Stop();
  notifier_.StopWatchdog();
  logger->info("stopped after {}", absl::FormatDuration(absl::Now() - started));
  return 0;
}

void ServiceHost::Drain() {
  auto logger = Logger(name_);
  absl::Time started = absl::Now();
  absl::Time deadline = started + config_.drain_timeout;
  drain_started_.Set(absl::ToDoubleSeconds(started - absl::UnixEpoch()));
  size_t left = service_->WaitDrained(std::min(deadline, absl::Now() + absl::Seconds(1)));
  drain_in_flight_.Set(static_cast<double>(left));
  while (left > 0 && absl::Now() < deadline && !signals_.second().HasBeenNotified()) {
    // Keep systemd from killing a drain that is still within its timeout.
    notifier_.ExtendTimeout(deadline - absl::Now() + config_.shutdown_grace + absl::Seconds(5));
    notifier_.Status(absl::StrCat("draining: ", left, " in flight"));
    left = service_->WaitDrained(std::min(deadline, absl::Now() + absl::Seconds(1)));
    drain_in_flight_.Set(static_cast<double>(left));
  }
  absl::Duration took = absl::Now() - started;
  drain_duration_.Set(absl::ToDoubleSeconds(took));
  if (left == 0) {
    logger->info("drain summary: drained in {}, 0 items left; {}", absl::FormatDuration(took),
                 service_->Describe());
    return;
  }
  absl::Status reason =
      signals_.second().HasBeenNotified()
          ? absl::CancelledError(absl::StrCat(name_, " drain cut short by a second signal"))
          : absl::DeadlineExceededError(absl::StrCat(name_, " drain timed out after ",
                                                     absl::FormatDuration(took)));
  logger->warn("drain summary: {} items left after {}, cancelling them: {}; {}", left,
               absl::FormatDuration(took), reason.message(), service_->Describe());
  shutdown_.Cancel(reason);
}

}  // namespace parley::runtime
