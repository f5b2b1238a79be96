#ifndef PARLEY_SERVICES_INTAKE_INTAKE_SERVICE_H_
#define PARLEY_SERVICES_INTAKE_INTAKE_SERVICE_H_

#include <memory>
#include <string>

#include "config.h"
#include "intake_stage.h"
#include "parley/base/drain_gate.h"
#include "parley/internal/v1/pipeline.grpc.pb.h"
#include "parley/pipeline/stream_link.h"
#include "parley/runtime/service_host.h"
#include "parley/v1/chat.grpc.pb.h"
#include "rate_limiter.h"
#include "send_reactor.h"

namespace parley::intake {

// The public Intake.Send API in front of the intake stage and its stream
// link to processor.
class IntakeService : public runtime::Service, public v1::Intake::CallbackService {
 public:
  IntakeService(const IntakeConfig& config, runtime::ServiceHost& host);

  // v1::Intake
  grpc::ServerUnaryReactor* Send(grpc::CallbackServerContext* context,
                                 const v1::SendRequest* request,
                                 v1::SendResponse* response) override;

  // runtime::Service
  void Register(grpc::ServerBuilder& builder) override;
  void Start() override;
  std::string Describe() override;
  bool Healthy() override { return true; }
  void StopAccepting() override { gate_.Close(); }
  size_t WaitDrained(absl::Time deadline) override { return gate_.WaitDrained(deadline); }
  void CloseDownstream(absl::Time deadline) override { processor_.Close(deadline); }
  void EndStreams() override {}
  void Stop() override {}

 private:
  const IntakeConfig config_;
  runtime::RpcMetrics& rpc_metrics_;
  std::shared_ptr<grpc::Channel> processor_channel_;
  std::unique_ptr<internal::v1::Processor::Stub> processor_stub_;
  pipeline::StreamLink processor_;
  std::unique_ptr<RateLimiter> rate_limiter_;  // null when the limit is off
  IntakeStage stage_;
  SendReactor::Metrics send_metrics_;
  DrainGate gate_;  // Sends in flight
  CancellationSource& shutdown_;
};

}  // namespace parley::intake

#endif  // PARLEY_SERVICES_INTAKE_INTAKE_SERVICE_H_
