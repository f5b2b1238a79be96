#ifndef PARLEY_SERVICES_PROCESSOR_PROCESSOR_STAGE_H_
#define PARLEY_SERVICES_PROCESSOR_PROCESSOR_STAGE_H_

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "parley/base/mutex.h"
#include "absl/time/time.h"
#include "dedup_window.h"
#include "message_policy.h"
#include "parley/base/backoff.h"
#include "parley/base/cancellation.h"
#include "parley/base/channel.h"
#include "parley/pipeline/hop.h"
#include "processor_metrics.h"
#include "recent_commits.h"
#include "sequencer.h"

namespace parley::processor {

// Fetches the state that broadcaster keeps of every room.
using RecoverFunction = std::function<absl::StatusOr<std::vector<internal::v1::RoomState>>()>;

struct ProcessorOptions {
  absl::Duration dedup_window = absl::Minutes(10);
  size_t dedup_max_entries = 100'000;
  size_t queue_capacity = 1024;
  absl::Duration commit_delay = absl::ZeroDuration();
  // Called until it succeeds before the first commit, so that numbering
  // continues where the committed history ends. Empty: start every room
  // at 1.
  RecoverFunction recover;
  BackoffPolicy recover_backoff;
  // Recent commits kept per room for replay to a restarted broadcaster.
  size_t replay_per_room = 1000;
  // Blocks until `downstream` can take one more item: OK, or the error to
  // drop the submission with (its deadline passed, or shutdown). Empty:
  // never wait.
  std::function<absl::Status(absl::Time deadline)> wait_for_downstream;
  // The moderation list and what to do with a listed word.
  ModerationOptions moderation;
};

// The processor stage: de-duplicates submissions by message id, applies the
// MessagePolicy (NFC, "/me" actions, moderation), drops those whose
// deadline passed or whose client cancelled, commits the rest in
// arrival order (room sequence number, commit time) and hands each commit
// to `downstream`. A submission's outcome is its commit once downstream
// accepted it.
//
// Once committed, a message is no longer subject to its client's deadline:
// it is handed downstream until accepted, so a room's sequence numbers have
// no holes.
class ProcessorStage : public pipeline::Stage {
 public:
  // `downstream` and `metrics` must outlive the stage.
  ProcessorStage(const ProcessorOptions& options, pipeline::Hop& downstream,
                 ProcessorMetrics& metrics);
  ~ProcessorStage() override;

  ProcessorStage(const ProcessorStage&) = delete;
  ProcessorStage& operator=(const ProcessorStage&) = delete;

  // Starts the commit thread, which recovers state before its first commit.
  // Cancelling `cancellation` drops what has not been committed yet, with
  // the cancellation's reason.
  void Start(CancellationSource* cancellation = nullptr);
  // Closes the queue and joins the commit thread, which first finishes what
  // is queued (dropping it when the stage was cancelled). Idempotent.
  void Stop();

  void Handle(pipeline::Item item, absl::Time deadline, pipeline::OutcomeCallback done) override;
  void Cancel(const std::string& message_id) override;

  // Returns false when submissions wait but the commit thread has finished
  // none for longer than `stall`: the pipeline is wedged. True while the
  // stage still recovers, since a restart would not help there.
  bool Progressing(absl::Duration stall) const;

  // Returns the recent commits to write first on a new downstream stream.
  std::vector<pipeline::Item> ReplayItems() const { return recent_.ReplayItems(); }

 private:
  struct Work {
    pipeline::Item item;  // its submission as MessagePolicy returned it
    absl::Time deadline;
    v1::ChatMessage::Kind kind = v1::ChatMessage::KIND_TEXT;
  };

  void Run();
  // Seeds numbering and de-duplication from `options_.recover`. Returns
  // false when the stage stopped first.
  bool Recover();
  void CommitOne(Work work);
  // Waits for the configured commit delay; returns early on cancellation.
  void Delay(const std::string& message_id, absl::Time deadline);
  bool TakeCancellation(const std::string& message_id);
  // Records the start or end of one commit, for Progressing.
  void SetBusy(bool busy);
  // Returns the process-wide cancellation reason, OK while there is none.
  absl::Status AbortReason();
  // Ends an item before commit; `reason` is DEADLINE_EXCEEDED or CANCELLED.
  void Drop(const internal::v1::ItemMetadata& metadata, const absl::Status& reason);

  const ProcessorOptions options_;
  pipeline::Hop& downstream_;
  ProcessorMetrics& metrics_;
  const MessagePolicy policy_;
  DedupWindow dedup_;
  Channel<Work> queue_;
  Sequencer sequencer_;  // used by the commit thread only
  RecentCommits recent_;

  mutable parley::Mutex mu_;
  absl::flat_hash_set<std::string> cancelled_ ABSL_GUARDED_BY(mu_);
  absl::Status abort_reason_ ABSL_GUARDED_BY(mu_);
  absl::Time last_progress_ ABSL_GUARDED_BY(mu_) = absl::Now();
  bool recovered_ ABSL_GUARDED_BY(mu_) = false;
  bool busy_ ABSL_GUARDED_BY(mu_) = false;

  parley::Notification stopping_;
  std::thread committer_;
  CancellationSource::Subscription cancellation_;
};

}  // namespace parley::processor

#endif  // PARLEY_SERVICES_PROCESSOR_PROCESSOR_STAGE_H_
