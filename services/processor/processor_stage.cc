#include "processor_stage.h"

#include "absl/strings/str_cat.h"
#include "parley/runtime/logging.h"

namespace parley::processor {

ProcessorStage::ProcessorStage(const ProcessorOptions& options, pipeline::Hop& downstream,
                               ProcessorMetrics& metrics)
    : options_(options),
      downstream_(downstream),
      metrics_(metrics),
      policy_(options.moderation, {metrics.rejected, metrics.moderation_rejected,
                                   metrics.moderation_masked}),
      dedup_(options.dedup_window, options.dedup_max_entries),
      queue_(options.queue_capacity),
      recent_(options.replay_per_room) {}

ProcessorStage::~ProcessorStage() { Stop(); }

void ProcessorStage::Start(CancellationSource* cancellation) {
  committer_ = std::thread([this] { Run(); });
  if (cancellation == nullptr) return;
  cancellation_ = cancellation->OnCancel([this](const absl::Status& reason) {
    // UNAVAILABLE tells intake to keep the items for the next processor.
    parley::MutexLock lock(&mu_);
    abort_reason_ = absl::UnavailableError(
        absl::StrCat("processor is shutting down: ", reason.message()));
  });
}

void ProcessorStage::Stop() {
  if (!stopping_.HasBeenNotified()) stopping_.Notify();
  queue_.Close();
  if (committer_.joinable()) committer_.join();
  // Without a commit thread nothing receives from the queue any more.
  while (std::optional<Work> work = queue_.ReceiveUntil(absl::InfinitePast())) {
    dedup_.Resolve(work->item.metadata().message_id(),
                   absl::UnavailableError("processor stopped before commit"), absl::Now());
  }
}

void ProcessorStage::Handle(pipeline::Item item, absl::Time deadline,
                            pipeline::OutcomeCallback done) {
  const std::string& id = item.metadata().message_id();
  if (id.empty() || !item.has_submission()) {
    metrics_.rejected.Increment();
    done(absl::InvalidArgumentError("item needs a message_id and a submission"));
    return;
  }
  absl::Time now = absl::Now();
  switch (dedup_.Admit(id, done, now)) {
    case DedupWindow::Admission::kNew:
      break;
    case DedupWindow::Admission::kJoined:
    case DedupWindow::Admission::kCommitted:
      metrics_.duplicates.Increment();
      runtime::Logger("processor")
          ->debug("duplicate message_id={} trace_id={}", id, item.metadata().trace_id());
      return;
  }
  if (deadline <= now) {
    Drop(item.metadata(),
         absl::DeadlineExceededError("deadline exceeded before processor received it"));
    return;
  }
  absl::StatusOr<PolicyResult> content = policy_.Apply(item.submission());
  if (!content.ok()) {
    runtime::Logger("processor")
        ->debug("rejected message_id={} trace_id={}: {}", id, item.metadata().trace_id(),
                content.status().message());
    dedup_.Resolve(id, content.status(), now);
    return;
  }
  item.mutable_submission()->set_sender(std::move(content->sender));
  item.mutable_submission()->set_text(std::move(content->text));
  Work work{std::move(item), deadline, content->kind};
  // Blocks while the queue is full: the hop stops reading from intake.
  if (!queue_.Send(work)) {
    dedup_.Resolve(id, absl::UnavailableError("processor is stopping"), absl::Now());
    return;
  }
  metrics_.queue_depth.Set(static_cast<double>(queue_.size()));
}

void ProcessorStage::Cancel(const std::string& message_id) {
  if (!dedup_.InFlight(message_id)) return;
  parley::MutexLock lock(&mu_);
  cancelled_.insert(message_id);
}

void ProcessorStage::Run() {
  auto logger = runtime::Logger("processor");
  logger->info("commit thread started");
  if (!Recover()) return;
  {
    parley::MutexLock lock(&mu_);
    recovered_ = true;
  }
  while (std::optional<Work> work = queue_.Receive()) {
    metrics_.queue_depth.Set(static_cast<double>(queue_.size()));
    SetBusy(true);
    CommitOne(std::move(*work));
    SetBusy(false);
  }
  logger->info("commit thread stopped after {} rooms", sequencer_.rooms());
}

bool ProcessorStage::Recover() {
  if (!options_.recover) return true;
  auto logger = runtime::Logger("processor");
  Backoff backoff(options_.recover_backoff);
  while (true) {
    absl::StatusOr<std::vector<internal::v1::RoomState>> rooms = options_.recover();
    if (rooms.ok()) {
      absl::Time now = absl::Now();
      size_t ids = 0;
      for (const internal::v1::RoomState& room : *rooms) {
        sequencer_.Seed(room.room(), room.last_sequence());
        for (const v1::ChatMessage& message : room.recent()) {
          pipeline::Commit commit;
          commit.set_room(message.room());
          commit.set_sequence(message.sequence());
          *commit.mutable_commit_time() = message.commit_time();
          dedup_.Remember(message.message_id(), commit, now);
          recent_.Add(message, /*acknowledged=*/true);
          ++ids;
        }
      }
      logger->info("recovered {} rooms and {} message ids from broadcaster", rooms->size(), ids);
      return true;
    }
    absl::Duration delay = backoff.Next();
    logger->warn("cannot recover room state from broadcaster: {}; retrying in {}",
                 rooms.status().ToString(), absl::FormatDuration(delay));
    if (stopping_.WaitForNotificationWithTimeout(delay)) return false;
  }
}

void ProcessorStage::CommitOne(Work work) {
  const std::string id = work.item.metadata().message_id();
  if (options_.commit_delay > absl::ZeroDuration()) Delay(id, work.deadline);

  // 1. Skip what recovery found committed already, and drop what was
  // cancelled or expired while it waited in the queue.
  const std::string trace_id = work.item.metadata().trace_id();
  if (!dedup_.InFlight(id)) {
    metrics_.duplicates.Increment();
    runtime::Logger("processor")
        ->debug("duplicate message_id={} trace_id={}: committed before recovery", id, trace_id);
    return;
  }
  absl::Status aborted = AbortReason();
  if (!aborted.ok()) {
    Drop(work.item.metadata(), aborted);
    return;
  }
  if (TakeCancellation(id)) {
    Drop(work.item.metadata(), absl::CancelledError("cancelled by the client before commit"));
    return;
  }
  if (work.deadline <= absl::Now()) {
    Drop(work.item.metadata(), absl::DeadlineExceededError("deadline exceeded before commit"));
    return;
  }

  // 2. Wait for room downstream: a link that is full would have to refuse a
  // message that already has its sequence number.
  if (options_.wait_for_downstream) {
    absl::Status room = options_.wait_for_downstream(work.deadline);
    if (!room.ok()) {
      Drop(work.item.metadata(), room);
      return;
    }
  }

  // 3. Commit: from here on the message must reach broadcaster.
  v1::ChatMessage message = sequencer_.Commit(work.item.submission(), id, absl::Now());
  message.set_kind(work.kind);
  recent_.Add(message, /*acknowledged=*/false, trace_id);
  metrics_.committed.Increment();
  pipeline::Commit commit;
  commit.set_room(message.room());
  commit.set_sequence(message.sequence());
  *commit.mutable_commit_time() = message.commit_time();
  runtime::Logger("processor")
      ->debug("committed message_id={} trace_id={} as {}#{}", id, trace_id, message.room(),
              message.sequence());

  // 4. Hand it downstream with no deadline; the outcome resolves the item.
  pipeline::Item committed;
  committed.mutable_metadata()->set_message_id(id);
  committed.mutable_metadata()->set_trace_id(trace_id);
  *committed.mutable_committed() = std::move(message);
  downstream_.Send(std::move(committed), absl::InfiniteFuture(),
                   [this, id, trace_id, commit](pipeline::Result result) {
                     TakeCancellation(id);  // too late to withdraw a commit
                     if (!result.ok()) {
                       runtime::Logger("processor")
                           ->error("committed message_id={} trace_id={} ({}#{}) was not "
                                   "delivered: {}",
                                   id, trace_id, commit.room(), commit.sequence(),
                                   result.status().ToString());
                       dedup_.Resolve(id, result.status(), absl::Now());
                       return;
                     }
                     recent_.MarkAcknowledged(commit.room(), commit.sequence());
                     dedup_.Resolve(id, commit, absl::Now());
                   });
}

void ProcessorStage::Delay(const std::string& message_id, absl::Time deadline) {
  parley::MutexLock lock(&mu_);
  auto cancelled = [this, &message_id]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return cancelled_.contains(message_id) || !abort_reason_.ok();
  };
  // Wakes early when the item is cancelled; an expired item is dropped
  // right after.
  mu_.AwaitWithDeadline(cancelled,
                        std::min(absl::Now() + options_.commit_delay, deadline));
}

void ProcessorStage::SetBusy(bool busy) {
  parley::MutexLock lock(&mu_);
  busy_ = busy;
  last_progress_ = absl::Now();
}

bool ProcessorStage::Progressing(absl::Duration stall) const {
  parley::MutexLock lock(&mu_);
  if (!recovered_) return true;
  bool idle = !busy_ && queue_.size() == 0;
  return idle || absl::Now() - last_progress_ < stall;
}

absl::Status ProcessorStage::AbortReason() {
  parley::MutexLock lock(&mu_);
  return abort_reason_;
}

bool ProcessorStage::TakeCancellation(const std::string& message_id) {
  parley::MutexLock lock(&mu_);
  return cancelled_.erase(message_id) > 0;
}

void ProcessorStage::Drop(const internal::v1::ItemMetadata& metadata,
                          const absl::Status& reason) {
  if (reason.code() == absl::StatusCode::kDeadlineExceeded) {
    metrics_.dropped_expired.Increment();
  } else if (reason.code() == absl::StatusCode::kCancelled) {
    metrics_.dropped_cancelled.Increment();
  }
  runtime::Logger("processor")
      ->info("dropped message_id={} trace_id={}: {}", metadata.message_id(), metadata.trace_id(),
             reason.message());
  dedup_.Resolve(metadata.message_id(), reason, absl::Now());
}

}  // namespace parley::processor
