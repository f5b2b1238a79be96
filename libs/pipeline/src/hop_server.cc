#include "parley/pipeline/hop_server.h"

#include <atomic>
#include <memory>

#include "absl/strings/str_cat.h"
#include "parley/base/budget.h"
#include "parley/base/status_code_name.h"
#include "parley/pipeline/outcomes.h"
#include "parley/runtime/logging.h"

namespace parley::pipeline {

// Serialises outcome writes from the stage's threads onto one stream, and
// drops them once the handler has returned and the stream is gone.
class HopServer::OutcomeWriter {
 public:
  explicit OutcomeWriter(HopServerStream* stream) : stream_(stream) {}

  void Write(const Outcome& outcome) {
    parley::MutexLock lock(&mu_);
    if (stream_ != nullptr && !stream_->Write(outcome)) stream_ = nullptr;
  }

  void BeginItem() {
    parley::MutexLock lock(&mu_);
    ++outstanding_;
  }

  void EndItem() {
    parley::MutexLock lock(&mu_);
    --outstanding_;
  }

  // Waits for every outcome of this stream, or until the call is cancelled.
  void WaitIdle(grpc::ServerContext* context) {
    parley::MutexLock lock(&mu_);
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return outstanding_ == 0; };
    while (!mu_.AwaitWithTimeout(idle, absl::Milliseconds(100))) {
      if (context->IsCancelled()) return;
    }
  }

  void Detach() {
    parley::MutexLock lock(&mu_);
    stream_ = nullptr;
  }

 private:
  parley::Mutex mu_;
  HopServerStream* stream_ ABSL_GUARDED_BY(mu_);
  size_t outstanding_ ABSL_GUARDED_BY(mu_) = 0;
};

HopServer::HopServer(std::string hop, Stage& stage, prometheus::Registry& registry)
    : hop_(std::move(hop)),
      stage_(stage),
      outcomes_(prometheus::BuildCounter()
                    .Name("parley_hop_outcomes_total")
                    .Help("Outcomes a stage wrote back on its upstream hop, by status code.")
                    .Register(registry)),
      items_received_(prometheus::BuildCounter()
                          .Name("parley_hop_items_received_total")
                          .Help("Items a stage read from its upstream hop, cancellations included.")
                          .Register(registry)
                          .Add({{"hop", hop_}})),
      in_flight_(prometheus::BuildGauge()
                     .Name("parley_hop_in_flight_items")
                     .Help("Items a stage accepted from its upstream hop and has not answered.")
                     .Register(registry)
                     .Add({{"hop", hop_}})) {
  // Exported at zero before the first outcome, so that rate() has a first sample.
  outcomes_.Add({{"hop", hop_}, {"code", StatusCodeName(absl::StatusCode::kOk)}});
}

grpc::Status HopServer::Serve(grpc::ServerContext* context, HopServerStream* stream) {
  auto logger = runtime::Logger("hop." + hop_);
  if (gate_.closed()) {
    // Shutting down: a new stream would only hold Server::Shutdown up.
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stage is shutting down");
  }
  {
    parley::MutexLock lock(&mu_);
    streams_.insert(context);
  }
  context->AddInitialMetadata(kStageHeader, hop_);
  stream->SendInitialMetadata();
  logger->info("upstream {} connected", context->peer());

  // The stream's own work, its outcome writes, ends with the stream, and
  // with the whole process when shutdown cancels everything.
  auto writer = std::make_shared<OutcomeWriter>(stream);
  auto stream_cancellation = shutdown_ != nullptr ? std::make_unique<CancellationSource>(shutdown_)
                                                  : std::make_unique<CancellationSource>();
  auto ended = std::make_shared<std::atomic<bool>>(false);
  CancellationSource::Subscription on_cancel = stream_cancellation->OnCancel(
      [writer, context, ended](const absl::Status& /*reason*/) {
        writer->Detach();
        // A cancellation from above ends the call too.
        if (!ended->load()) context->TryCancel();
      });
  Item item;
  while (stream->Read(&item)) {
    items_received_.Increment();
    std::string id = item.metadata().message_id();
    if (item.has_cancellation()) {
      stage_.Cancel(id);
      continue;
    }
    std::optional<DrainGate::Token> token = gate_.TryEnter();
    if (!token.has_value()) {
      Result refused = absl::UnavailableError("stage is shutting down");
      CountOutcome(refused);
      writer->Write(ToOutcome(id, refused));
      continue;
    }
    absl::Time deadline = DeadlineFromBudget(
        item.metadata().has_budget_micros() ? std::optional<int64_t>(item.metadata().budget_micros())
                                            : std::nullopt,
        absl::Now());
    writer->BeginItem();
    in_flight_.Increment();
    stage_.Handle(std::move(item), deadline,
                  [this, writer, id, token = std::move(*token)](Result result) mutable {
                    CountOutcome(result);
                    writer->Write(ToOutcome(id, result));
                    writer->EndItem();
                    in_flight_.Decrement();
                    token.Release();
                  });
  }

  // The upstream half-closed (or the call ended): write the outcomes of
  // what it sent.
  writer->WaitIdle(context);
  ended->store(true);
  stream_cancellation->Cancel(absl::CancelledError("upstream stream ended"));
  {
    parley::MutexLock lock(&mu_);
    streams_.erase(context);
  }
  logger->info("upstream {} {}", context->peer(),
               context->IsCancelled() ? "cancelled" : "closed after its last item");
  return grpc::Status::OK;
}

void HopServer::EndStreams() {
  parley::MutexLock lock(&mu_);
  for (grpc::ServerContext* context : streams_) context->TryCancel();
}

void HopServer::CountOutcome(const Result& result) {
  // Few distinct codes occur, so a family lookup per outcome stays cheap.
  const char* code = StatusCodeName(result.status().code());
  outcomes_.Add({{"hop", hop_}, {"code", code}}).Increment();
}

}  // namespace parley::pipeline
