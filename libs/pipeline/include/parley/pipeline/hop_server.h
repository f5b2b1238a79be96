#ifndef PARLEY_PIPELINE_HOP_SERVER_H_
#define PARLEY_PIPELINE_HOP_SERVER_H_

// The downstream end of a hop stream: reads items from one upstream
// connection, hands them to a Stage and writes each outcome back. Used by
// the synchronous gRPC handlers of processor and broadcaster, where a
// blocking Read loop gives flow control for free: while the stage is full,
// the handler stops reading and HTTP/2 pushes back on the upstream.

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "parley/base/mutex.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/sync_stream.h"
#include "parley/base/cancellation.h"
#include "parley/base/drain_gate.h"
#include "parley/internal/v1/pipeline.grpc.pb.h"
#include "parley/pipeline/hop.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace parley::pipeline {

// Initial metadata key a downstream sends when it accepts a hop stream, so
// the upstream link can tell an established stream from a failed call.
inline constexpr char kStageHeader[] = "parley-stage";

using HopServerStream = grpc::ServerReaderWriter<Outcome, Item>;

class HopServer {
 public:
  // `hop` labels logs and metrics ("submit" or "deliver"). `stage` and
  // `registry` must outlive the server.
  HopServer(std::string hop, Stage& stage, prometheus::Registry& registry);

  // Serves one upstream stream until the upstream half-closes (after which
  // it waits for the outstanding outcomes) or the call is cancelled.
  grpc::Status Serve(grpc::ServerContext* context, HopServerStream* stream);

  // From now on items get UNAVAILABLE as their outcome, so the upstream
  // link keeps them for its next connection.
  void StopAccepting() { gate_.Close(); }

  // Waits until every accepted item has its outcome written; returns how
  // many are left at `deadline`.
  size_t WaitDrained(absl::Time deadline) { return gate_.WaitDrained(deadline); }

  // Cancels every open upstream stream so that their handlers return.
  void EndStreams();

  // Makes every stream a child of `shutdown`: cancelling it ends them.
  // Call before the server starts.
  void SetCancellation(CancellationSource* shutdown) { shutdown_ = shutdown; }

  size_t in_flight() const { return gate_.in_flight(); }

 private:
  class OutcomeWriter;

  void CountOutcome(const Result& result);

  const std::string hop_;
  Stage& stage_;
  CancellationSource* shutdown_ = nullptr;
  DrainGate gate_;
  prometheus::Family<prometheus::Counter>& outcomes_;
  prometheus::Counter& items_received_;
  prometheus::Gauge& in_flight_;

  parley::Mutex mu_;
  absl::flat_hash_set<grpc::ServerContext*> streams_ ABSL_GUARDED_BY(mu_);
};

}  // namespace parley::pipeline

#endif  // PARLEY_PIPELINE_HOP_SERVER_H_
