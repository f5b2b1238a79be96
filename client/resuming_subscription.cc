#include "resuming_subscription.h"

#include <algorithm>
#include <utility>

namespace parley::client {

bool IsRetryableStreamStatus(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
      return true;
    default:
      return false;
  }
}

ResumingSubscription::ResumingSubscription(std::shared_ptr<grpc::Channel> channel,
                                           SubscriptionOptions options, UpdateHandler on_update,
                                           EndHandler on_end)
    : channel_(std::move(channel)),
      stub_(parley::v1::Broadcaster::NewStub(channel_)),
      options_(std::move(options)),
      on_update_(std::move(on_update)),
      on_end_(std::move(on_end)) {}

ResumingSubscription::~ResumingSubscription() { Stop(); }

void ResumingSubscription::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

bool ResumingSubscription::WaitUntilSubscribed(absl::Time deadline) {
  parley::MutexLock lock(&mu_);
  mu_.AwaitWithDeadline([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return subscribed_ || ended_; },
                        deadline);
  return subscribed_ && !ended_;
}

bool ResumingSubscription::WaitUntilSeen(const std::string& room, uint64_t sequence,
                                         absl::Time deadline) {
  parley::MutexLock lock(&mu_);
  const auto seen = [this, &room, sequence]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const auto next = next_sequence_.find(room);
    return next != next_sequence_.end() && next->second > sequence;
  };
  mu_.AwaitWithDeadline([this, &seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return seen() || ended_;
  }, deadline);
  return seen();
}

void ResumingSubscription::Cancel() {
  parley::MutexLock lock(&mu_);
  if (!ended_) cancelled_ = true;
  if (context_ != nullptr) context_->TryCancel();
}

void ResumingSubscription::Stop() {
  Cancel();
  Join();
}

void ResumingSubscription::Join() {
  if (thread_.joinable()) thread_.join();
}

grpc::Status ResumingSubscription::status() const {
  parley::MutexLock lock(&mu_);
  return status_;
}

bool ResumingSubscription::cancelled() const {
  parley::MutexLock lock(&mu_);
  return cancelled_;
}

bool ResumingSubscription::handler_stopped() const {
  parley::MutexLock lock(&mu_);
  return handler_stopped_;
}

bool ResumingSubscription::ended() const {
  parley::MutexLock lock(&mu_);
  return ended_;
}

void ResumingSubscription::Run() {
  Backoff backoff(options_.backoff);
  int attempts = 0;
  bool ever_opened = false;
  grpc::Status status;
  while (true) {
    bool opened = false;
    status = RunStream(attempts, opened);
    if (opened) {
      ever_opened = true;
      attempts = 0;
      backoff.Reset();
    }
    if (!ShouldReopen(status, ever_opened)) break;
    if (opened && !on_update_(ConnectionLost{status})) {
      parley::MutexLock lock(&mu_);
      handler_stopped_ = true;
      break;
    }
    if (!PauseBeforeRetry(backoff.Next())) break;
    ++attempts;
  }

  bool cancelled = false;
  {
    parley::MutexLock lock(&mu_);
    status_ = status;
    ended_ = true;
    cancelled = cancelled_;
  }
  if (on_end_) on_end_(status, cancelled);
}

grpc::Status ResumingSubscription::RunStream(int attempts, bool& opened) {
  grpc::ClientContext context;
  // A reconnect waits for the channel to connect, which gRPC retries with
  // its own backoff (capped by CreateClientChannel), instead of failing at
  // once on every call that lands in a pause of that backoff.
  context.set_wait_for_ready(attempts > 0 || options_.wait_for_first_connection);
  {
    parley::MutexLock lock(&mu_);
    if (cancelled_) return grpc::Status(grpc::StatusCode::CANCELLED, "subscription cancelled");
    context_ = &context;
  }

  // 1. Broadcaster sends initial metadata as soon as it accepts a stream.
  //    A call that could not connect leaves the channel not READY. A call
  //    that broadcaster rejected counts as open, and its status follows.
  const auto reader = stub_->Subscribe(&context, BuildRequest());
  reader->WaitForInitialMetadata();
  opened = channel_->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY;
  if (opened) {
    parley::MutexLock lock(&mu_);
    subscribed_ = true;
  }

  // 2. A reconnect is announced before the replayed messages.
  bool deliver = !opened || attempts == 0 || on_update_(DescribeReconnect(attempts));

  // 3. Read until the stream ends. After the handler declined an update,
  //    the call is cancelled and the rest is drained, as Finish requires.
  parley::v1::Event event;
  if (!deliver) context.TryCancel();
  while (reader->Read(&event)) {
    if (deliver && !Deliver(event)) {
      deliver = false;
      context.TryCancel();
    }
  }
  const grpc::Status status = reader->Finish();

  parley::MutexLock lock(&mu_);
  context_ = nullptr;
  if (!deliver) handler_stopped_ = true;
  return status;
}

bool ResumingSubscription::Deliver(const parley::v1::Event& event) {
  {
    parley::MutexLock lock(&mu_);
    if (event.has_message()) {
      uint64_t& next = next_sequence_[event.message().room()];
      next = std::max(next, event.message().sequence() + 1);
    } else if (event.has_gap()) {
      uint64_t& next = next_sequence_[event.gap().room()];
      next = std::max(next, event.gap().first_available_sequence());
    }
  }
  return on_update_(event);
}

parley::v1::SubscribeRequest ResumingSubscription::BuildRequest() const {
  parley::v1::SubscribeRequest request;
  for (const std::string& room : options_.rooms) request.add_rooms(room);
  request.set_from_sequence(options_.from_sequence);
  request.set_sender(options_.sender);
  parley::MutexLock lock(&mu_);
  for (const auto& [room, next] : next_sequence_) {
    (*request.mutable_room_from_sequence())[room] = next;
  }
  return request;
}

Reconnected ResumingSubscription::DescribeReconnect(int attempts) const {
  Reconnected reconnected{.attempts = attempts};
  parley::MutexLock lock(&mu_);
  for (const std::string& room : options_.rooms) {
    const auto next = next_sequence_.find(room);
    reconnected.resume_from[room] =
        next != next_sequence_.end() ? next->second : options_.from_sequence;
  }
  return reconnected;
}

bool ResumingSubscription::PauseBeforeRetry(absl::Duration delay) {
  parley::MutexLock lock(&mu_);
  mu_.AwaitWithDeadline([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return cancelled_; },
                        absl::Now() + delay);
  return !cancelled_;
}

bool ResumingSubscription::ShouldReopen(const grpc::Status& status, bool ever_opened) const {
  parley::MutexLock lock(&mu_);
  if (cancelled_ || handler_stopped_) return false;
  return options_.resume && ever_opened && IsRetryableStreamStatus(status);
}

}  // namespace parley::client
