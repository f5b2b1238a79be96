#include "health_command.h"

#include <iostream>
#include <string>

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "channel.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "output_line.h"
#include "rpc_status.h"

namespace parley::client {
namespace {

using grpc::health::v1::HealthCheckResponse;

std::string ServingStatusName(HealthCheckResponse::ServingStatus status) {
  const std::string& name = HealthCheckResponse::ServingStatus_Name(status);
  return name.empty() ? absl::StrCat("STATUS_", static_cast<int>(status)) : name;
}

}  // namespace

int RunHealthCommand(const GlobalOptions& global, const HealthOptions& options,
                     const std::stop_token& stop_token) {
  const std::string& target = options.target.empty() ? global.intake_address : options.target;
  const auto stub = grpc::health::v1::Health::NewStub(CreateClientChannel(target));

  grpc::health::v1::HealthCheckRequest request;
  request.set_service(options.service);
  HealthCheckResponse response;

  grpc::ClientContext context;
  context.set_deadline(DeadlineAfter(options.timeout_ms));
  std::stop_callback cancel_on_stop(stop_token, [&context] { context.TryCancel(); });
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    PrintStatusError(status);
    return 1;
  }

  if (!WriteOutputLine(ServingStatusName(response.status()))) {
    std::cerr << "error: writing to standard output failed" << std::endl;
    return 1;
  }
  return response.status() == HealthCheckResponse::SERVING ? 0 : 1;
}

}  // namespace parley::client
