#ifndef PARLEY_TESTS_UNIT_FAKE_STAGE_H_
#define PARLEY_TESTS_UNIT_FAKE_STAGE_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "parley/base/mutex.h"
#include "absl/time/time.h"
#include "outcome_recorder.h"
#include "parley/pipeline/hop.h"

namespace parley::unit_test {

// A Stage for hop tests. It records every item and cancellation, and then
// either commits the item at once (sequence 1, 2, ... in arrival order) or
// keeps its callback until the test commits or fails it. With blocking on,
// Handle does not return until the test unblocks it, like a full stage.
class FakeStage : public pipeline::Stage {
 public:
  struct Handled {
    pipeline::Item item;
    absl::Time deadline;
  };

  void Handle(pipeline::Item item, absl::Time deadline, pipeline::OutcomeCallback done) override {
    pipeline::Result result;
    {
      parley::MutexLock lock(&mu_);
      std::string id = item.metadata().message_id();
      handled_.push_back(Handled{std::move(item), deadline});
      auto unblocked = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !block_; };
      mu_.AwaitWithTimeout(unblocked, kWaitLimit);
      if (hold_) {
        held_.emplace_back(std::move(id), std::move(done));
        return;
      }
      result = NextCommit();
    }
    done(std::move(result));
  }

  // Records the cancellation; a held item ends with CANCELLED.
  void Cancel(const std::string& message_id) override {
    std::vector<pipeline::OutcomeCallback> cancelled;
    {
      parley::MutexLock lock(&mu_);
      cancelled_.push_back(message_id);
      for (auto it = held_.begin(); it != held_.end();) {
        if (it->first == message_id) {
          cancelled.push_back(std::move(it->second));
          it = held_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& done : cancelled) done(absl::CancelledError("cancelled by the fake stage"));
  }

  void set_hold(bool hold) {
    parley::MutexLock lock(&mu_);
    hold_ = hold;
  }

  void set_block(bool block) {
    parley::MutexLock lock(&mu_);
    block_ = block;
  }

  // Waits until at least `count` items were handled.
  bool WaitHandled(size_t count, absl::Duration limit = kWaitLimit) {
    parley::MutexLock lock(&mu_);
    auto enough = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return handled_.size() >= count;
    };
    return mu_.AwaitWithTimeout(enough, limit);
  }

  // Waits until `message_id` was cancelled.
  bool WaitCancelled(const std::string& message_id, absl::Duration limit = kWaitLimit) {
    parley::MutexLock lock(&mu_);
    auto seen = [this, &message_id]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return std::find(cancelled_.begin(), cancelled_.end(), message_id) != cancelled_.end();
    };
    return mu_.AwaitWithTimeout(seen, limit);
  }

  std::vector<Handled> handled() const {
    parley::MutexLock lock(&mu_);
    return handled_;
  }

  std::vector<std::string> HandledIds() const {
    parley::MutexLock lock(&mu_);
    std::vector<std::string> ids;
    for (const Handled& handled : handled_) ids.push_back(handled.item.metadata().message_id());
    return ids;
  }

  size_t held() const {
    parley::MutexLock lock(&mu_);
    return held_.size();
  }

  // Commits every held item, in the order they arrived.
  void CommitHeld() {
    std::vector<std::pair<pipeline::OutcomeCallback, pipeline::Commit>> ready;
    {
      parley::MutexLock lock(&mu_);
      for (auto& [id, done] : held_) ready.emplace_back(std::move(done), NextCommit());
      held_.clear();
    }
    for (auto& [done, commit] : ready) done(commit);
  }

  // Ends every held item with `status`.
  void FailHeld(const absl::Status& status) {
    std::vector<std::pair<std::string, pipeline::OutcomeCallback>> held;
    {
      parley::MutexLock lock(&mu_);
      held.swap(held_);
    }
    for (auto& [id, done] : held) done(status);
  }

 private:
  pipeline::Commit NextCommit() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    pipeline::Commit commit;
    commit.set_room("fake");
    commit.set_sequence(++committed_);
    return commit;
  }

  mutable parley::Mutex mu_;
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
  bool block_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t committed_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<Handled> handled_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> cancelled_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<std::string, pipeline::OutcomeCallback>> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace parley::unit_test

#endif  // PARLEY_TESTS_UNIT_FAKE_STAGE_H_
