#ifndef PARLEY_PIPELINE_HOP_H_
#define PARLEY_PIPELINE_HOP_H_

// The seam between pipeline stages. A stage receives items as a Stage and
// sends them on through a Hop. The hop may be an in-process channel or a
// gRPC stream to another process, and the stage code is the same for both.
//
// Every item gets exactly one outcome, a value or an error: the item type of
// the Go design ("MessageOrError"), with absl::StatusOr as the C++ form.

#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "parley/internal/v1/pipeline.pb.h"

namespace parley::pipeline {

using Item = internal::v1::Item;
using Outcome = internal::v1::Outcome;
using Commit = internal::v1::Commit;

// Outcome of one item: where it was committed, or why not.
using Result = absl::StatusOr<Commit>;

// Receives the outcome of one item. Called exactly once, from any thread.
using OutcomeCallback = absl::AnyInvocable<void(Result)>;

// The receiving side of a hop: processor and broadcaster implement it.
class Stage {
 public:
  virtual ~Stage() = default;

  // Handles one item whose client deadline is `deadline` (InfiniteFuture
  // for none). Calls `done` exactly once, possibly before returning. May
  // block while the stage is full, which pushes back on the sender.
  virtual void Handle(Item item, absl::Time deadline, OutcomeCallback done) = 0;

  // Withdraws the item `message_id` if it is not committed yet; its
  // outcome is then CANCELLED. Unknown or committed ids are ignored.
  virtual void Cancel(const std::string& message_id) = 0;
};

// The sending side of a hop.
class Hop {
 public:
  virtual ~Hop() = default;

  // Queues `item` for the next stage; `done` receives its outcome exactly
  // once. Never blocks: when the hop is full or closed, `done` runs at once
  // with UNAVAILABLE.
  virtual void Send(Item item, absl::Time deadline, OutcomeCallback done) = 0;

  // Asks the next stage to withdraw `message_id` (best effort: an item
  // already committed stays committed).
  virtual void Cancel(const std::string& message_id) = 0;
};

}  // namespace parley::pipeline

#endif  // PARLEY_PIPELINE_HOP_H_
