#include "parley/pipeline/stream_link.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "parley/base/budget.h"
#include "parley/base/status_code_name.h"
#include "parley/pipeline/hop_server.h"
#include "parley/pipeline/outcomes.h"
#include "parley/runtime/logging.h"

namespace parley::pipeline {
namespace {

// Items written per pass before the writer looks for expired items and
// cancellations again.
constexpr size_t kWriteBatch = 64;
// A connection that lived this long resets the reconnect backoff.
constexpr absl::Duration kHealthyConnection = absl::Seconds(2);
// Maximum wait between expiry checks while nothing else happens.
constexpr absl::Duration kIdleWake = absl::Seconds(1);

void RunCallbacks(std::vector<OutcomeCallback>& callbacks, const Result& result) {
  for (OutcomeCallback& callback : callbacks) callback(result);
  callbacks.clear();
}

}  // namespace

StreamLink::StreamLink(std::string name, const config::LinkConfig& config, StreamOpener opener,
                       LinkMetrics metrics)
    : name_(std::move(name)), config_(config), opener_(std::move(opener)), metrics_(metrics) {}

StreamLink::~StreamLink() { Close(absl::Now()); }

void StreamLink::Start(CancellationSource* cancellation) {
  {
    parley::MutexLock lock(&mu_);
    if (started_) return;
    started_ = true;
    thread_ = std::thread([this] { Run(); });
  }
  if (cancellation != nullptr) {
    cancellation_ =
        cancellation->OnCancel([this](const absl::Status& reason) { Abort(reason); });
  }
}

void StreamLink::Abort(const absl::Status& reason) {
  parley::MutexLock lock(&mu_);
  if (stopped_) return;
  if (!pending_.empty()) {
    runtime::Logger("link." + name_)
        ->warn("cancelled with {} items pending: {}", pending_.size(), reason.message());
  }
  closing_ = true;
  stopped_ = true;
  abort_reason_ = reason;
  if (context_ != nullptr) context_->TryCancel();
}

void StreamLink::Send(Item item, absl::Time deadline, OutcomeCallback done) {
  std::string id = item.metadata().message_id();
  absl::Status rejection;
  {
    parley::MutexLock lock(&mu_);
    if (auto it = by_id_.find(id); it != by_id_.end()) {
      // A retry of an item still in flight waits for the same outcome.
      it->second->callbacks.push_back(std::move(done));
      it->second->deadline = std::max(it->second->deadline, deadline);
      return;
    }
    if (closing_) {
      rejection = absl::UnavailableError(absl::StrCat("link to ", name_, " is closing"));
    } else if (pending_.size() >= static_cast<size_t>(config_.max_pending)) {
      rejection = absl::UnavailableError(absl::StrCat(
          "link to ", name_, " is full: ", pending_.size(), " items wait for an outcome (max_pending ",
          config_.max_pending, "); retry with the same client_message_id"));
    } else {
      pending_.push_back(PendingItem{std::move(item), deadline, {}});
      pending_.back().callbacks.push_back(std::move(done));
      auto last = std::prev(pending_.end());
      by_id_[id] = last;
      if (first_unsent_ == pending_.end()) first_unsent_ = last;
      UpdateGauges();
      return;
    }
  }
  metrics_.rejected->Increment();
  done(rejection);
}

void StreamLink::Cancel(const std::string& message_id) {
  std::vector<OutcomeCallback> callbacks;
  {
    parley::MutexLock lock(&mu_);
    auto it = by_id_.find(message_id);
    if (it == by_id_.end()) return;
    // Only an item written on the stream that is up now can be withdrawn
    // downstream; anything else is withdrawn here, before it is resent.
    bool written = false;
    if (connected_ && !stream_broken_) {
      for (auto scan = pending_.begin(); scan != first_unsent_; ++scan) {
        if (scan == it->second) written = true;
      }
    }
    if (written) {
      // The downstream has it: ask it to withdraw the item; the outcome
      // then comes back as usual.
      cancellations_.push_back(message_id);
      return;
    }
    callbacks = std::move(it->second->callbacks);
    Erase(it->second);
  }
  RunCallbacks(callbacks, absl::CancelledError("cancelled before it was sent on"));
}

void StreamLink::Close(absl::Time deadline) {
  auto logger = runtime::Logger("link." + name_);
  std::vector<OutcomeCallback> left;
  {
    parley::MutexLock lock(&mu_);
    closing_ = true;
    auto drained = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return pending_.empty() || !started_;
    };
    mu_.AwaitWithDeadline(drained, deadline);
    if (!pending_.empty()) {
      logger->warn("closing with {} items still waiting for an outcome", pending_.size());
      stopped_ = true;
      if (context_ != nullptr) context_->TryCancel();
    }
    if (!started_) left = TakeAll();
  }
  if (thread_.joinable()) thread_.join();
  RunCallbacks(left, absl::UnavailableError(absl::StrCat("link to ", name_, " closed")));
}

absl::Status StreamLink::WaitForRoom(absl::Time deadline) {
  parley::MutexLock lock(&mu_);
  auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closing_ || pending_.size() < static_cast<size_t>(config_.max_pending);
  };
  mu_.AwaitWithDeadline(room, deadline);
  if (closing_) return absl::UnavailableError(absl::StrCat("link to ", name_, " is closing"));
  if (pending_.size() >= static_cast<size_t>(config_.max_pending)) {
    return absl::DeadlineExceededError(absl::StrCat("deadline exceeded while the link to ", name_,
                                                    " was full"));
  }
  return absl::OkStatus();
}

bool StreamLink::WaitConnected(absl::Time deadline) {
  parley::MutexLock lock(&mu_);
  auto up = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return connected_ || stopped_; };
  mu_.AwaitWithDeadline(up, deadline);
  return connected_;
}

bool StreamLink::connected() const {
  parley::MutexLock lock(&mu_);
  return connected_;
}

size_t StreamLink::pending() const {
  parley::MutexLock lock(&mu_);
  return pending_.size();
}

bool StreamLink::Finished() const { return stopped_ || (closing_ && pending_.empty()); }

void StreamLink::Run() {
  auto logger = runtime::Logger("link." + name_);
  Backoff backoff(config_.reconnect);
  logger->info("connecting to {}", config_.target);
  while (true) {
    uint64_t connection = 0;
    {
      parley::MutexLock lock(&mu_);
      if (Finished()) break;
      connection = ++connection_;
    }
    if (connection > 1) metrics_.reconnects->Increment();
    absl::Time started = absl::Now();
    if (RunConnection(connection)) break;
    if (absl::Now() - started > kHealthyConnection) backoff.Reset();
    absl::Duration delay = backoff.Next();
    logger->info("retrying stream to {} in {} (attempt {})", config_.target,
                 absl::FormatDuration(delay), connection + 1);
    if (!WaitToReconnect(delay)) break;
  }

  std::vector<OutcomeCallback> left;
  absl::Status reason = absl::UnavailableError(absl::StrCat("link to ", name_, " closed"));
  {
    parley::MutexLock lock(&mu_);
    left = TakeAll();
    if (!abort_reason_.ok()) reason = abort_reason_;
  }
  if (!left.empty()) logger->warn("{} items failed: {}", left.size(), reason.message());
  RunCallbacks(left, reason);
  logger->info("stopped");
}

bool StreamLink::RunConnection(uint64_t connection) {
  auto logger = runtime::Logger("link." + name_);
  grpc::ClientContext context;
  std::unique_ptr<LinkStream> stream = opener_(&context);
  stream->WaitForInitialMetadata();
  if (!context.GetServerInitialMetadata().contains(kStageHeader)) {
    grpc::Status status = stream->Finish();
    logger->warn("cannot open stream to {}: {}: {}", config_.target,
                 StatusCodeName(static_cast<absl::StatusCode>(status.error_code())), status.error_message());
    return false;
  }

  size_t resent = 0;
  std::vector<OutcomeCallback> withdrawn;
  {
    parley::MutexLock lock(&mu_);
    // Cancellations meant for the broken stream: withdraw those items here,
    // since the new stream would get the cancellation before the item.
    for (const std::string& id : cancellations_) {
      auto it = by_id_.find(id);
      if (it == by_id_.end()) continue;
      for (OutcomeCallback& callback : it->second->callbacks) {
        withdrawn.push_back(std::move(callback));
      }
      Erase(it->second);
    }
    cancellations_.clear();
    context_ = &context;
    connected_ = true;
    stream_broken_ = false;
    first_unsent_ = pending_.begin();
    resent = pending_.size();
    UpdateGauges();
  }
  RunCallbacks(withdrawn, absl::CancelledError("cancelled before it was sent on"));
  metrics_.resent->Increment(static_cast<double>(resent));
  logger->info("stream to {} established (connection {}), resending {} items", config_.target,
               connection, resent);

  std::thread reader([this, &stream] { ReadOutcomes(stream.get()); });
  bool clean = WriteReplay(stream.get()) && WriteItems(stream.get());
  if (!clean) context.TryCancel();
  reader.join();
  grpc::Status status = stream->Finish();
  {
    parley::MutexLock lock(&mu_);
    context_ = nullptr;
    connected_ = false;
    UpdateGauges();
  }
  if (clean && status.ok()) {
    logger->info("stream to {} closed after the last item", config_.target);
    return true;
  }
  logger->warn("stream to {} ended: {}: {}", config_.target, StatusCodeName(static_cast<absl::StatusCode>(status.error_code())),
               status.error_message());
  return false;
}

bool StreamLink::WriteReplay(LinkStream* stream) {
  if (!replay_) return true;
  std::vector<Item> items = replay_();
  for (const Item& item : items) {
    if (!stream->Write(item)) return false;
  }
  if (!items.empty()) {
    runtime::Logger("link." + name_)->info("replayed {} recent items", items.size());
  }
  return true;
}

bool StreamLink::WriteItems(LinkStream* stream) {
  while (true) {
    std::vector<Item> batch;
    std::vector<std::string> cancellations;
    std::vector<OutcomeCallback> expired;
    bool broken = false;
    bool half_close = false;
    {
      parley::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return first_unsent_ != pending_.end() || !cancellations_.empty() || stream_broken_ ||
               Finished();
      };
      mu_.AwaitWithDeadline(ready,
                            std::min(NextDeadline(), absl::Now() + kIdleWake));
      absl::Time now = absl::Now();
      expired = TakeExpired(now);
      if (stream_broken_ || stopped_) {
        broken = true;
      } else if (closing_ && pending_.empty()) {
        half_close = true;
      } else {
        cancellations.swap(cancellations_);
        for (; first_unsent_ != pending_.end() && batch.size() < kWriteBatch; ++first_unsent_) {
          Item item = first_unsent_->item;
          auto budget = BudgetMicros(first_unsent_->deadline, now);
          if (budget.has_value()) {
            item.mutable_metadata()->set_budget_micros(*budget);
          } else {
            item.mutable_metadata()->clear_budget_micros();
          }
          batch.push_back(std::move(item));
        }
      }
    }
    RunCallbacks(expired, absl::DeadlineExceededError(
                              absl::StrCat("deadline exceeded while waiting for ", name_)));
    if (!expired.empty()) metrics_.expired->Increment(static_cast<double>(expired.size()));
    if (broken) return false;
    if (half_close) {
      stream->WritesDone();
      return true;
    }
    for (const std::string& id : cancellations) {
      Item cancellation;
      cancellation.mutable_metadata()->set_message_id(id);
      cancellation.mutable_cancellation();
      if (!stream->Write(cancellation)) return false;
    }
    for (const Item& item : batch) {
      if (!stream->Write(item)) return false;
      metrics_.sent->Increment();
    }
  }
}

void StreamLink::ReadOutcomes(LinkStream* stream) {
  Outcome outcome;
  while (stream->Read(&outcome)) Resolve(outcome);
  parley::MutexLock lock(&mu_);
  stream_broken_ = true;
}

void StreamLink::Resolve(const Outcome& outcome) {
  Result result = FromOutcome(outcome);
  std::vector<OutcomeCallback> callbacks;
  {
    parley::MutexLock lock(&mu_);
    auto it = by_id_.find(outcome.message_id());
    // A late outcome of an item that already expired or was resolved.
    if (it == by_id_.end()) return;
    // UNAVAILABLE means the downstream did not take the item (it is
    // shutting down): keep it and write it again on the next connection.
    if (!result.ok() && result.status().code() == absl::StatusCode::kUnavailable) return;
    callbacks = std::move(it->second->callbacks);
    Erase(it->second);
  }
  RunCallbacks(callbacks, result);
}

bool StreamLink::WaitToReconnect(absl::Duration delay) {
  absl::Time reconnect_at = absl::Now() + delay;
  while (true) {
    std::vector<OutcomeCallback> expired;
    {
      parley::MutexLock lock(&mu_);
      auto finished = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return Finished(); };
      mu_.AwaitWithDeadline(finished, std::min(NextDeadline(), reconnect_at));
      if (Finished()) return false;
      expired = TakeExpired(absl::Now());
    }
    RunCallbacks(expired, absl::DeadlineExceededError(absl::StrCat(
                              "deadline exceeded while ", name_, " was unreachable")));
    if (!expired.empty()) metrics_.expired->Increment(static_cast<double>(expired.size()));
    if (absl::Now() >= reconnect_at) return true;
  }
}

void StreamLink::Erase(PendingList::iterator it) {
  if (it == first_unsent_) ++first_unsent_;
  by_id_.erase(it->item.metadata().message_id());
  pending_.erase(it);
  UpdateGauges();
}

std::vector<OutcomeCallback> StreamLink::TakeExpired(absl::Time now) {
  std::vector<OutcomeCallback> expired;
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto next = std::next(it);
    if (it->deadline <= now) {
      for (OutcomeCallback& callback : it->callbacks) expired.push_back(std::move(callback));
      Erase(it);
    }
    it = next;
  }
  return expired;
}

std::vector<OutcomeCallback> StreamLink::TakeAll() {
  std::vector<OutcomeCallback> all;
  for (PendingItem& item : pending_) {
    for (OutcomeCallback& callback : item.callbacks) all.push_back(std::move(callback));
  }
  pending_.clear();
  by_id_.clear();
  first_unsent_ = pending_.end();
  UpdateGauges();
  return all;
}

absl::Time StreamLink::NextDeadline() const {
  absl::Time next = absl::InfiniteFuture();
  for (const PendingItem& item : pending_) next = std::min(next, item.deadline);
  return next;
}

void StreamLink::UpdateGauges() {
  metrics_.pending->Set(static_cast<double>(pending_.size()));
  metrics_.connected->Set(connected_ ? 1 : 0);
}

}  // namespace parley::pipeline
