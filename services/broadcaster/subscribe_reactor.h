#ifndef PARLEY_SERVICES_BROADCASTER_SUBSCRIBE_REACTOR_H_
#define PARLEY_SERVICES_BROADCASTER_SUBSCRIBE_REACTOR_H_

#include <memory>

#include "absl/base/thread_annotations.h"
#include "parley/base/mutex.h"
#include "absl/time/time.h"
#include "broadcaster_metrics.h"
#include "fanout.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "parley/base/cancellation.h"
#include "parley/runtime/metrics.h"
#include "parley/v1/chat.pb.h"
#include "subscriber_queue.h"

namespace parley::broadcaster {

// Serves one Subscribe call: writes the events of its SubscriberQueue one
// at a time and finishes the call when the queue ends or the client goes.
// It writes each event's shared serialized bytes, so protobuf serializes an
// event once however many subscribers receive it.
//
// gRPC reactor rules kept here: at most one write outstanding, Finish
// exactly once and never while a write is outstanding, the written event
// kept alive until OnWriteDone, and the object deleted only in OnDone.
class SubscribeReactor : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  // Registers `queue` with `fanout` and starts writing. All references
  // must outlive the reactor.
  // Cancelling `shutdown` ends the stream with UNAVAILABLE at once.
  SubscribeReactor(Fanout& fanout, std::shared_ptr<SubscriberQueue> queue,
                   BroadcasterMetrics& metrics, runtime::RpcMetrics& rpc_metrics,
                   CancellationSource& shutdown);

  // Creates a reactor that finishes at once with `status`.
  static SubscribeReactor* Rejected(const grpc::Status& status, runtime::RpcMetrics& rpc_metrics);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  SubscribeReactor(runtime::RpcMetrics& rpc_metrics);

  // Starts the next write, or finishes the call when the queue has ended.
  void Pump();
  void FinishOnce(const grpc::Status& status);

  Fanout* fanout_ = nullptr;
  std::shared_ptr<SubscriberQueue> queue_;
  BroadcasterMetrics* metrics_ = nullptr;
  runtime::RpcMetrics& rpc_metrics_;
  const absl::Time started_ = absl::Now();

  parley::Mutex mu_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::StatusCode final_code_ ABSL_GUARDED_BY(mu_) = grpc::StatusCode::OK;
  EventPtr current_ ABSL_GUARDED_BY(mu_);

  // Declared last, so it unregisters before the members above go.
  CancellationSource::Subscription shutdown_subscription_;
};

}  // namespace parley::broadcaster

#endif  // PARLEY_SERVICES_BROADCASTER_SUBSCRIBE_REACTOR_H_
