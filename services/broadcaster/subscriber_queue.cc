#include "subscriber_queue.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace parley::broadcaster {

SubscriberQueue::SubscriberQueue(uint64_t id, std::vector<std::string> rooms,
                                 const absl::flat_hash_map<std::string, uint64_t>& from_sequence,
                                 QueueLimits limits, std::string sender, QueueGauges gauges)
    : id_(id),
      rooms_(std::move(rooms)),
      sender_(std::move(sender)),
      limits_(limits),
      gauges_(gauges),
      from_sequence_(from_sequence) {
  for (const std::string& room : rooms_) next_sequence_[room] = FromSequence(room);
}

SubscriberQueue::~SubscriberQueue() {
  parley::MutexLock lock(&mu_);
  ClearLocked();
}

uint64_t SubscriberQueue::FromSequence(const std::string& room) const {
  auto it = from_sequence_.find(room);
  return it == from_sequence_.end() ? 0 : it->second;
}

bool SubscriberQueue::Push(const EventPtr& event) {
  parley::MutexLock lock(&mu_);
  return PushLocked(event, /*replayed=*/false);
}

bool SubscriberQueue::PushReplayed(const EventPtr& event) {
  parley::MutexLock lock(&mu_);
  return PushLocked(event, /*replayed=*/true);
}

bool SubscriberQueue::PushLocked(const EventPtr& event, bool replayed) {
  if (end_.has_value()) return false;
  if (!event->has_message()) return EnqueueLocked(event, replayed);

  const v1::ChatMessage& message = event->message();
  uint64_t& next = next_sequence_[message.room()];
  if (next != 0 && message.sequence() < next) return false;

  bool wake = false;
  if (next != 0 && message.sequence() > next) {
    v1::Event gap;
    gap.mutable_gap()->set_room(message.room());
    gap.mutable_gap()->set_requested_sequence(next);
    gap.mutable_gap()->set_first_available_sequence(message.sequence());
    wake = EnqueueLocked(MakeSharedEvent(std::move(gap)), replayed);
  }
  next = message.sequence() + 1;
  if (end_.has_value()) return wake;
  return EnqueueLocked(event, replayed) || wake;
}

bool SubscriberQueue::EnqueueLocked(EventPtr event, bool replayed) {
  size_t live_events = queue_.size() - replayed_events_;
  size_t live_bytes = queued_bytes_ - replayed_bytes_;
  std::string limit;  // the limit a live event would pass; replayed ones are exempt
  if (!replayed && live_events >= limits_.max_messages) {
    limit = absl::StrCat("subscribers.max_queued_messages ", limits_.max_messages);
  } else if (!replayed && live_events > 0 && live_bytes + event->size() > limits_.max_bytes) {
    limit = absl::StrCat("subscribers.max_queued_bytes ", limits_.max_bytes);
  }
  if (!limit.empty()) {
    end_ = absl::ResourceExhaustedError(absl::StrCat("subscriber fell behind: ", live_events,
                                                     " events of ", live_bytes,
                                                     " bytes queued (", limit, ")"));
    ClearLocked();
    return true;
  }
  if (replayed) {
    ++replayed_events_;
    replayed_bytes_ += event->size();
  }
  queued_bytes_ += event->size();
  CountLocked(1, static_cast<double>(event->size()));
  queue_.push_back(std::move(event));
  return queue_.size() == 1;
}

bool SubscriberQueue::Close(const absl::Status& status, bool discard_queued) {
  parley::MutexLock lock(&mu_);
  if (end_.has_value()) return false;
  end_ = status;
  if (discard_queued) ClearLocked();
  return true;
}

void SubscriberQueue::ClearLocked() {
  CountLocked(-static_cast<double>(queue_.size()), -static_cast<double>(queued_bytes_));
  queue_.clear();
  queued_bytes_ = 0;
  replayed_events_ = 0;
  replayed_bytes_ = 0;
}

void SubscriberQueue::CountLocked(double events, double bytes) {
  if (gauges_.events != nullptr) gauges_.events->Increment(events);
  if (gauges_.bytes != nullptr) gauges_.bytes->Increment(bytes);
}

SubscriberQueue::Next SubscriberQueue::Pop() {
  parley::MutexLock lock(&mu_);
  if (!queue_.empty()) {
    EventPtr event = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= event->size();
    if (replayed_events_ > 0) {
      --replayed_events_;
      replayed_bytes_ -= event->size();
    }
    CountLocked(-1, -static_cast<double>(event->size()));
    return {std::move(event), std::nullopt};
  }
  if (!end_.has_value()) return {nullptr, std::nullopt};
  // The resume point is read only now, after the last write completed.
  absl::Status end(end_->code(),
                   absl::StrCat(end_->message(), "; last delivered: ", DescribeResumePointLocked(),
                                "; resubscribe from the next sequence"));
  return {nullptr, end};
}

void SubscriberQueue::MarkDelivered(const SharedEvent& event) {
  if (!event.has_message()) return;
  parley::MutexLock lock(&mu_);
  delivered_[event.message().room()] = event.message().sequence();
}

std::string SubscriberQueue::DescribeResumePoint() const {
  parley::MutexLock lock(&mu_);
  return DescribeResumePointLocked();
}

std::string SubscriberQueue::DescribeResumePointLocked() const {
  std::vector<std::string> parts;
  for (const std::string& room : rooms_) {
    auto it = delivered_.find(room);
    parts.push_back(absl::StrCat(room, "#", it == delivered_.end() ? 0 : it->second));
  }
  return absl::StrJoin(parts, ", ");
}

void SubscriberQueue::SetWake(std::function<void()> wake) {
  parley::MutexLock lock(&wake_mu_);
  wake_ = std::move(wake);
}

void SubscriberQueue::Wake() {
  parley::MutexLock lock(&wake_mu_);
  if (wake_) wake_();
}

void SubscriberQueue::Detach() {
  parley::MutexLock lock(&wake_mu_);
  wake_ = nullptr;
}

bool SubscriberQueue::closed() const {
  parley::MutexLock lock(&mu_);
  return end_.has_value();
}

}  // namespace parley::broadcaster
