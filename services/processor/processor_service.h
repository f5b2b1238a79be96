#ifndef PARLEY_SERVICES_PROCESSOR_PROCESSOR_SERVICE_H_
#define PARLEY_SERVICES_PROCESSOR_PROCESSOR_SERVICE_H_

#include <memory>
#include <string>

#include "config.h"
#include "parley/internal/v1/pipeline.grpc.pb.h"
#include "parley/pipeline/hop_server.h"
#include "parley/pipeline/stream_link.h"
#include "parley/runtime/service_host.h"
#include "processor_metrics.h"
#include "processor_stage.h"

namespace parley::processor {

// Wires the processor stage between its gRPC hop from intake and its
// stream link to broadcaster.
class ProcessorService : public runtime::Service, public internal::v1::Processor::Service {
 public:
  ProcessorService(const ProcessorConfig& config, runtime::ServiceHost& host);

  // internal::v1::Processor
  grpc::Status Submit(grpc::ServerContext* context, pipeline::HopServerStream* stream) override;

  // runtime::Service
  void Register(grpc::ServerBuilder& builder) override;
  void Start() override;
  std::string Describe() override;
  bool Healthy() override;
  void StopAccepting() override;
  size_t WaitDrained(absl::Time deadline) override;
  void CloseDownstream(absl::Time deadline) override;
  void EndStreams() override;
  void Stop() override;

 private:
  const ProcessorConfig config_;
  runtime::RpcMetrics& rpc_metrics_;
  ProcessorMetrics metrics_;
  std::shared_ptr<grpc::Channel> broadcaster_channel_;
  std::unique_ptr<internal::v1::Fanout::Stub> broadcaster_stub_;
  pipeline::StreamLink broadcaster_;
  CancellationSource& shutdown_;
  ProcessorStage stage_;
  pipeline::HopServer hop_server_;
};

}  // namespace parley::processor

#endif  // PARLEY_SERVICES_PROCESSOR_PROCESSOR_SERVICE_H_
