#include "send_reactor.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "grpcpp/server_context.h"
#include "parley/pipeline/outcomes.h"
#include "parley/runtime/logging.h"
#include "rate_limiter.h"

namespace parley::intake {

SendReactor::SendReactor(grpc::CallbackServerContext* context, IntakeStage& stage,
                         runtime::RpcMetrics& rpc_metrics, Metrics& metrics,
                         v1::SendResponse* response)
    : context_(context),
      stage_(stage),
      rpc_metrics_(rpc_metrics),
      metrics_(metrics),
      response_(response) {}

void SendReactor::Start(const v1::SendRequest& request, absl::Time deadline,
                        const std::string& trace_id, DrainGate::Token token) {
  message_id_ = IntakeStage::MessageId(request);
  trace_id_ = trace_id;
  runtime::Logger("send")->debug("send message_id={} trace_id={} to room {}", message_id_,
                                 trace_id_, request.room());
  stage_.Send(request, message_id_, deadline, trace_id,
              [this, token = std::move(token)](absl::StatusOr<v1::SendResponse> result) mutable {
                Complete(std::move(result));
                token.Release();
              });
}

void SendReactor::Reject(const grpc::Status& status) {
  code_ = status.error_code();
  Finish(status);
}

void SendReactor::Complete(absl::StatusOr<v1::SendResponse> result) {
  if (!result.ok()) {
    if (absl::IsDeadlineExceeded(result.status())) metrics_.expired.Increment();
    if (absl::IsCancelled(result.status())) metrics_.cancelled.Increment();
    if (std::optional<absl::Duration> delay = RateLimiter::RetryDelay(result.status())) {
      metrics_.rate_limited.Increment();
      // The delay in a machine-readable form too, for clients that retry.
      context_->AddTrailingMetadata(kRetryAfterMetadata,
                                    absl::StrCat(absl::ToInt64Milliseconds(*delay)));
    }
    runtime::Logger("send")->debug("send message_id={} trace_id={} failed: {}", message_id_,
                                   trace_id_, result.status().ToString());
    Reject(pipeline::ToGrpcStatus(result.status()));
    return;
  }
  *response_ = std::move(*result);
  runtime::Logger("send")->debug("send message_id={} trace_id={} committed as {}#{}",
                                 message_id_, trace_id_, response_->room(),
                                 response_->sequence());
  metrics_.commit_latency.Observe(absl::ToDoubleSeconds(absl::Now() - started_));
  Finish(grpc::Status::OK);
}

void SendReactor::OnCancel() {
  runtime::Logger("send")->info("client cancelled send message_id={} trace_id={}", message_id_,
                                trace_id_);
  stage_.Cancel(message_id_);
}

void SendReactor::OnDone() {
  rpc_metrics_.Observe("parley.v1.Intake", "Send", code_, absl::Now() - started_);
  delete this;
}

}  // namespace parley::intake
