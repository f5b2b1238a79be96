#ifndef PARLEY_SERVICES_INTAKE_SEND_REACTOR_H_
#define PARLEY_SERVICES_INTAKE_SEND_REACTOR_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/support/server_callback.h"
#include "intake_stage.h"
#include "parley/base/drain_gate.h"
#include "parley/runtime/metrics.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"
#include "parley/v1/chat.pb.h"

namespace parley::intake {

// Trailing metadata key of a rate-limited Send: the delay in milliseconds
// after which a retry is admitted, also given in the status message.
inline constexpr char kRetryAfterMetadata[] = "retry-after-ms";

// Serves one Send call. It finishes when the message's outcome arrives,
// which the stage guarantees by the call's deadline at the latest. A client
// cancellation is passed downstream, so that the message is withdrawn if
// it is not committed yet. Deletes itself in OnDone.
class SendReactor : public grpc::ServerUnaryReactor {
 public:
  struct Metrics {
    // Sends that ended expired or cancelled before commit.
    prometheus::Counter& expired;
    prometheus::Counter& cancelled;
    // From intake receiving a Send to broadcaster accepting its message.
    prometheus::Histogram& commit_latency;
    // Sends rejected by the per-sender rate limit.
    prometheus::Counter& rate_limited;
  };

  // `context` is the call's, which gRPC keeps alive until OnDone.
  SendReactor(grpc::CallbackServerContext* context, IntakeStage& stage,
              runtime::RpcMetrics& rpc_metrics, Metrics& metrics, v1::SendResponse* response);

  // Forwards `request`, holding `token` until the call finishes.
  void Start(const v1::SendRequest& request, absl::Time deadline, const std::string& trace_id,
             DrainGate::Token token);

  // Finishes with `status` right away.
  void Reject(const grpc::Status& status);

  void OnCancel() override;
  void OnDone() override;

 private:
  void Complete(absl::StatusOr<v1::SendResponse> result);

  grpc::CallbackServerContext* const context_;
  IntakeStage& stage_;
  runtime::RpcMetrics& rpc_metrics_;
  Metrics& metrics_;
  v1::SendResponse* response_;
  std::string message_id_;
  const absl::Time started_ = absl::Now();
  grpc::StatusCode code_ = grpc::StatusCode::OK;
};

}  // namespace parley::intake

#endif  // PARLEY_SERVICES_INTAKE_SEND_REACTOR_H_
