#ifndef PARLEY_SERVICES_BROADCASTER_BROADCASTER_SERVICE_H_
#define PARLEY_SERVICES_BROADCASTER_BROADCASTER_SERVICE_H_

#include <atomic>
#include <string>

#include "broadcaster_metrics.h"
#include "config.h"
#include "fanout.h"
#include "parley/internal/v1/pipeline.grpc.pb.h"
#include "parley/pipeline/hop_server.h"
#include "parley/runtime/service_host.h"
#include "parley/v1/chat.grpc.pb.h"

namespace parley::broadcaster {

// The internal Fanout.Deliver hop from processor.
class DeliverService : public internal::v1::Fanout::Service {
 public:
  DeliverService(pipeline::HopServer& hop_server, Fanout& fanout, runtime::RpcMetrics& rpc_metrics)
      : hop_server_(hop_server), fanout_(fanout), rpc_metrics_(rpc_metrics) {}

  grpc::Status Deliver(grpc::ServerContext* context, pipeline::HopServerStream* stream) override;
  grpc::Status Recover(grpc::ServerContext* context, const internal::v1::RecoverRequest* request,
                       grpc::ServerWriter<internal::v1::RoomState>* writer) override;

 private:
  pipeline::HopServer& hop_server_;
  Fanout& fanout_;
  runtime::RpcMetrics& rpc_metrics_;
};

// The public Broadcaster API (Subscribe, History, Members) and the
// service's lifecycle.
// Subscribe is registered as a raw method: it parses its request itself and
// writes events that the fan-out serialized once (see SubscribeReactor).
using BroadcasterApi = v1::Broadcaster::WithRawCallbackMethod_Subscribe<
    v1::Broadcaster::WithCallbackMethod_History<
        v1::Broadcaster::WithCallbackMethod_Members<v1::Broadcaster::Service>>>;

class BroadcasterService : public runtime::Service, public BroadcasterApi {
 public:
  BroadcasterService(const BroadcasterConfig& config, runtime::ServiceHost& host);

  // v1::Broadcaster
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* History(grpc::CallbackServerContext* context,
                                    const v1::HistoryRequest* request,
                                    v1::HistoryResponse* response) override;
  grpc::ServerUnaryReactor* Members(grpc::CallbackServerContext* context,
                                    const v1::MembersRequest* request,
                                    v1::MembersResponse* response) override;

  // runtime::Service
  void Register(grpc::ServerBuilder& builder) override;
  void Start() override {}
  std::string Describe() override;
  bool Healthy() override { return true; }
  void StopAccepting() override;
  size_t WaitDrained(absl::Time deadline) override;
  void CloseDownstream(absl::Time /*deadline*/) override {}
  void EndStreams() override;
  void Stop() override {}

 private:
  absl::Status FillHistory(const v1::HistoryRequest& request,
                           v1::HistoryResponse* response) const;

  const BroadcasterConfig config_;
  runtime::RpcMetrics& rpc_metrics_;
  BroadcasterMetrics metrics_;
  Fanout fanout_;
  pipeline::HopServer hop_server_;
  DeliverService deliver_service_;
  CancellationSource& shutdown_;
  std::atomic<bool> accepting_{true};
  std::atomic<uint64_t> next_subscriber_id_{1};
};

}  // namespace parley::broadcaster

#endif  // PARLEY_SERVICES_BROADCASTER_BROADCASTER_SERVICE_H_
