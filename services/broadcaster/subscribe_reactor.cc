#include "subscribe_reactor.h"

#include "absl/strings/str_cat.h"
#include "parley/pipeline/outcomes.h"
#include "parley/runtime/logging.h"

namespace parley::broadcaster {

SubscribeReactor::SubscribeReactor(runtime::RpcMetrics& rpc_metrics) : rpc_metrics_(rpc_metrics) {}

SubscribeReactor::SubscribeReactor(Fanout& fanout, std::shared_ptr<SubscriberQueue> queue,
                                   BroadcasterMetrics& metrics, runtime::RpcMetrics& rpc_metrics,
                                   CancellationSource& shutdown)
    : fanout_(&fanout), queue_(std::move(queue)), metrics_(&metrics), rpc_metrics_(rpc_metrics) {
  // Headers go out now, so the client knows it is subscribed before the
  // first event.
  StartSendInitialMetadata();
  queue_->SetWake([this] { Pump(); });
  fanout_->Subscribe(queue_);
  shutdown_subscription_ = shutdown.OnCancel([this](const absl::Status& reason) {
    absl::Status status = absl::UnavailableError(
        absl::StrCat("broadcaster is shutting down: ", reason.message()));
    if (queue_->Close(status, /*discard_queued=*/true)) queue_->Wake();
  });
}

SubscribeReactor* SubscribeReactor::Rejected(const grpc::Status& status,
                                             runtime::RpcMetrics& rpc_metrics) {
  auto* reactor = new SubscribeReactor(rpc_metrics);
  reactor->FinishOnce(status);
  return reactor;
}

void SubscribeReactor::Pump() {
  EventPtr next_event;
  std::optional<absl::Status> end;
  {
    parley::MutexLock lock(&mu_);
    if (writing_ || finished_) return;
    SubscriberQueue::Next next = queue_->Pop();
    if (next.event != nullptr) {
      writing_ = true;
      current_ = next.event;
      next_event = next.event;
    } else {
      end = next.end;
    }
  }
  // StartWrite and Finish run outside mu_, in case gRPC reacts inline.
  // TODO: a client that stops reading for good keeps its last write
  // outstanding, so an overflowed queue never reaches Finish. Cancel the
  // call when that write is still pending some time after the overflow.
  if (next_event != nullptr) {
    StartWrite(&next_event->bytes());
  } else if (end.has_value()) {
    if (end->code() == absl::StatusCode::kResourceExhausted) {
      metrics_->slow_disconnects.Increment();
      runtime::Logger("subscribe")
          ->info("subscriber_id={} disconnected: {}", queue_->id(), end->message());
    }
    FinishOnce(pipeline::ToGrpcStatus(*end));
  }
}

void SubscribeReactor::OnWriteDone(bool ok) {
  {
    parley::MutexLock lock(&mu_);
    writing_ = false;
    if (ok) {
      queue_->MarkDelivered(*current_);
      metrics_->events_written.Increment();
      metrics_->bytes_written.Increment(static_cast<double>(current_->size()));
    }
    current_.reset();
  }
  if (!ok) {
    // The client is gone; nothing more can be written.
    queue_->Close(absl::CancelledError("subscriber stream broke"), /*discard_queued=*/true);
  }
  Pump();
}

void SubscribeReactor::OnCancel() {
  if (queue_ == nullptr) return;
  queue_->Close(absl::CancelledError("subscriber cancelled"), /*discard_queued=*/true);
  Pump();
}

void SubscribeReactor::FinishOnce(const grpc::Status& status) {
  {
    parley::MutexLock lock(&mu_);
    if (finished_) return;
    finished_ = true;
    final_code_ = status.error_code();
  }
  Finish(status);
}

void SubscribeReactor::OnDone() {
  shutdown_subscription_.Reset();
  if (queue_ != nullptr) {
    queue_->Detach();
    fanout_->Unsubscribe(queue_);
    runtime::Logger("subscribe")->debug("subscriber_id={} done", queue_->id());
  }
  grpc::StatusCode code;
  {
    parley::MutexLock lock(&mu_);
    code = final_code_;
  }
  rpc_metrics_.Observe("parley.v1.Broadcaster", "Subscribe", code, absl::Now() - started_);
  delete this;
}

}  // namespace parley::broadcaster
