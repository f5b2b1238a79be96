#ifndef PARLEY_PIPELINE_STREAM_LINK_H_
#define PARLEY_PIPELINE_STREAM_LINK_H_

// A Hop over one long-lived gRPC bidirectional stream to the next stage:
// the cross-process channel. The link keeps every item until its outcome
// arrives, so a broken stream loses nothing: it reconnects with backoff and
// writes every item that has no outcome yet again, and the downstream
// de-duplicates by message id.
//
// The stream itself carries no gRPC deadline; each item carries its own
// remaining budget in its metadata, rewritten at every (re)send.

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "parley/base/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/sync_stream.h"
#include "parley/base/backoff.h"
#include "parley/base/cancellation.h"
#include "parley/config/common.h"
#include "parley/internal/v1/pipeline.grpc.pb.h"
#include "parley/pipeline/hop.h"
#include "parley/pipeline/link_metrics.h"

namespace parley::pipeline {

using LinkStream = grpc::ClientReaderWriterInterface<Item, Outcome>;
// Opens the stream on a new call; the link owns `context` for its lifetime.
using StreamOpener = std::function<std::unique_ptr<LinkStream>(grpc::ClientContext* context)>;

class StreamLink : public Hop {
 public:
  // `name` labels logs and metrics, such as "processor".
  StreamLink(std::string name, const config::LinkConfig& config, StreamOpener opener,
             LinkMetrics metrics);
  ~StreamLink() override;  // closes with an immediate deadline if still open

  StreamLink(const StreamLink&) = delete;
  StreamLink& operator=(const StreamLink&) = delete;

  // Sets items to write at the start of every new stream, before the
  // pending ones. Their outcomes are not tracked. Call before Start.
  void SetReplay(std::function<std::vector<Item>()> replay) { replay_ = std::move(replay); }

  // Starts the connection thread. When `cancellation` is cancelled, the
  // link stops at once and fails its pending items with the reason.
  void Start(CancellationSource* cancellation = nullptr);

  void Send(Item item, absl::Time deadline, OutcomeCallback done) override;
  void Cancel(const std::string& message_id) override;

  // Rejects new items, waits until every pending item has its outcome or
  // `deadline` passes, half-closes the stream and joins the thread. Items
  // still pending then fail with UNAVAILABLE. Idempotent.
  void Close(absl::Time deadline);

  // Blocks until fewer than max_pending items wait for an outcome. Returns
  // DEADLINE_EXCEEDED at `deadline` and UNAVAILABLE once the link closes.
  absl::Status WaitForRoom(absl::Time deadline);

  // Blocks until the stream is established or `deadline` passes.
  bool WaitConnected(absl::Time deadline);

  bool connected() const;
  size_t pending() const;

 private:
  struct PendingItem {
    Item item;
    absl::Time deadline;
    std::vector<OutcomeCallback> callbacks;  // several when a retry joins
  };
  using PendingList = std::list<PendingItem>;

  // Runs connections until Close: one per iteration, backoff in between.
  void Run();
  // Serves one connection; returns true when it ended by a clean close.
  bool RunConnection(uint64_t connection);
  // Writes the replay items; false when the stream broke.
  bool WriteReplay(LinkStream* stream);
  // Writes items and cancellations until the stream breaks (false) or the
  // link half-closes it after the last item (true).
  bool WriteItems(LinkStream* stream);
  void ReadOutcomes(LinkStream* stream);
  void Resolve(const Outcome& outcome);
  // Waits out a reconnect delay, still expiring items. Returns false when
  // the link should stop instead of reconnecting.
  bool WaitToReconnect(absl::Duration delay);
  void Abort(const absl::Status& reason);
  void Erase(PendingList::iterator it) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Finished() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Removes items whose deadline passed and returns their callbacks.
  std::vector<OutcomeCallback> TakeExpired(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<OutcomeCallback> TakeAll() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Time NextDeadline() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UpdateGauges() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string name_;
  const config::LinkConfig config_;
  const StreamOpener opener_;
  std::function<std::vector<Item>()> replay_;
  LinkMetrics metrics_;

  mutable parley::Mutex mu_;
  PendingList pending_ ABSL_GUARDED_BY(mu_);
  // Items not yet written on the current connection always form a suffix
  // of pending_, since new items are appended and a reconnect rewinds to
  // the front: first_unsent_ marks where it starts.
  PendingList::iterator first_unsent_ ABSL_GUARDED_BY(mu_) = pending_.end();
  absl::flat_hash_map<std::string, PendingList::iterator> by_id_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> cancellations_ ABSL_GUARDED_BY(mu_);
  uint64_t connection_ ABSL_GUARDED_BY(mu_) = 0;
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stream_broken_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;  // Close gave up: leave now
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::Status abort_reason_ ABSL_GUARDED_BY(mu_);

  std::thread thread_;
  // Declared last, so it unregisters before the members above go.
  CancellationSource::Subscription cancellation_;
};

}  // namespace parley::pipeline

#endif  // PARLEY_PIPELINE_STREAM_LINK_H_
