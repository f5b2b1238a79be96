#include "room_feed.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "event_format.h"
#include "output_line.h"

namespace parley::client {

RoomFeed::RoomFeed(std::shared_ptr<grpc::Channel> channel, std::string room,
                   std::function<void()> on_end)
    : stub_(parley::v1::Broadcaster::NewStub(std::move(channel))),
      room_(std::move(room)),
      on_end_(std::move(on_end)) {
  // Without wait_for_ready the call fails at once while the channel
  // connects, and the chat could not tell when the subscription is in place.
  context_.set_wait_for_ready(true);
}

RoomFeed::~RoomFeed() { Stop(); }

void RoomFeed::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

bool RoomFeed::WaitUntilSubscribed(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, deadline, [this] { return subscribed_ || ended_; });
  return subscribed_ && !ended_;
}

bool RoomFeed::WaitUntilSeen(uint64_t sequence, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, deadline,
                      [this, sequence] { return highest_sequence_seen_ >= sequence || ended_; });
  return highest_sequence_seen_ >= sequence;
}

void RoomFeed::Cancel() {
  {
    std::lock_guard lock(mutex_);
    if (!ended_) cancelled_ = true;
  }
  context_.TryCancel();
}

void RoomFeed::Stop() {
  Cancel();
  if (thread_.joinable()) thread_.join();
}

grpc::Status RoomFeed::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

bool RoomFeed::cancelled() const {
  std::lock_guard lock(mutex_);
  return cancelled_;
}

bool RoomFeed::output_failed() const {
  std::lock_guard lock(mutex_);
  return output_failed_;
}

void RoomFeed::Run() {
  parley::v1::SubscribeRequest request;
  request.add_rooms(room_);
  // The sync reader returns from Subscribe once the request has been
  // written to the connection, or once the call is cancelled.
  const auto reader = stub_->Subscribe(&context_, request);
  {
    std::lock_guard lock(mutex_);
    subscribed_ = true;
  }
  changed_.notify_all();

  bool output_failed = false;
  parley::v1::Event event;
  while (reader->Read(&event)) {
    const std::optional<std::string> line = FormatEvent(event, EventFormat::kText);
    if (line && !WriteOutputLine(*line)) {
      output_failed = true;
      Cancel();
      continue;
    }
    if (event.has_message() && event.message().room() == room_) {
      {
        std::lock_guard lock(mutex_);
        highest_sequence_seen_ = std::max(highest_sequence_seen_, event.message().sequence());
      }
      changed_.notify_all();
    }
  }
  const grpc::Status status = reader->Finish();
  {
    std::lock_guard lock(mutex_);
    status_ = status;
    output_failed_ = output_failed;
    ended_ = true;
  }
  changed_.notify_all();
  on_end_();
}

}  // namespace parley::client
