#include "chat_client.h"

#include <algorithm>

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace parley::testing {

IntakeClient::IntakeClient(const std::string& intake_address)
    : channel_(grpc::CreateChannel(intake_address, grpc::InsecureChannelCredentials())),
      stub_(v1::Intake::NewStub(channel_)) {}

absl::StatusOr<v1::SendResponse> IntakeClient::Send(const std::string& room,
                                                    const std::string& sender,
                                                    const std::string& text,
                                                    const std::string& client_message_id,
                                                    absl::Duration timeout) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  v1::SendRequest request;
  request.set_room(room);
  request.set_sender(sender);
  request.set_text(text);
  request.set_client_message_id(client_message_id);
  v1::SendResponse response;
  grpc::Status status = stub_->Send(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  return response;
}

absl::StatusOr<v1::SendResponse> IntakeClient::SendWithRetries(
    const std::string& room, const std::string& sender, const std::string& text,
    const std::string& client_message_id, absl::Time give_up) {
  while (true) {
    auto result = Send(room, sender, text, client_message_id, absl::Seconds(5));
    // CANCELLED that this client did not ask for comes from a server that
    // shut down before the call reached its handler.
    bool retryable = !result.ok() && (absl::IsUnavailable(result.status()) ||
                                      absl::IsDeadlineExceeded(result.status()) ||
                                      absl::IsCancelled(result.status()));
    if (!retryable || absl::Now() >= give_up) return result;
    // A refused connection fails at once: wait for intake to come back
    // instead of spinning.
    channel_->WaitForConnected(absl::ToChronoTime(std::min(give_up, absl::Now() + absl::Seconds(1))));
  }
}

absl::StatusOr<v1::SendResponse> SendMessage(const std::string& intake_address,
                                             const std::string& room, const std::string& sender,
                                             const std::string& text,
                                             const std::string& client_message_id,
                                             absl::Duration timeout) {
  return IntakeClient(intake_address).Send(room, sender, text, client_message_id, timeout);
}

RecordingSubscriber::RecordingSubscriber(std::string broadcaster_address,
                                         std::vector<std::string> rooms)
    : address_(std::move(broadcaster_address)),
      rooms_(std::move(rooms)),
      channel_(grpc::CreateChannel(address_, grpc::InsecureChannelCredentials())) {
  thread_ = std::thread([this] { Run(); });
}

RecordingSubscriber::~RecordingSubscriber() { Stop(); }

void RecordingSubscriber::Stop() {
  {
    parley::MutexLock lock(&mu_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void RecordingSubscriber::Run() {
  while (RunStream()) {
    // Resubscribe at once: the stream waits for the server to come back
    // (wait_for_ready), so there is no busy loop.
  }
}

bool RecordingSubscriber::RunStream() {
  auto stub = v1::Broadcaster::NewStub(channel_);
  grpc::ClientContext context;
  context.set_wait_for_ready(true);
  v1::SubscribeRequest request;
  {
    parley::MutexLock lock(&mu_);
    if (stopping_) return false;
    context_ = &context;
    for (const std::string& room : rooms_) {
      request.add_rooms(room);
      auto last = last_.find(room);
      if (last != last_.end()) (*request.mutable_room_from_sequence())[room] = last->second + 1;
    }
  }
  auto reader = stub->Subscribe(&context, request);
  reader->WaitForInitialMetadata();
  {
    parley::MutexLock lock(&mu_);
    subscribed_ = true;
    ++streams_open_;
  }
  v1::Event event;
  while (reader->Read(&event)) {
    parley::MutexLock lock(&mu_);
    if (event.has_message()) {
      messages_[event.message().room()].push_back(event.message());
      last_[event.message().room()] = event.message().sequence();
    } else if (event.has_gap()) {
      gaps_.push_back(event.gap());
    }
  }
  grpc::Status status = reader->Finish();
  parley::MutexLock lock(&mu_);
  subscribed_ = false;
  context_ = nullptr;
  endings_.push_back(std::to_string(status.error_code()) + ": " + status.error_message());
  return !stopping_;
}

bool RecordingSubscriber::WaitSubscribed(absl::Duration timeout) {
  parley::MutexLock lock(&mu_);
  auto subscribed = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return subscribed_; };
  return mu_.AwaitWithTimeout(subscribed, timeout);
}

bool RecordingSubscriber::WaitForMessages(const std::string& room, size_t count,
                                          absl::Duration timeout) {
  parley::MutexLock lock(&mu_);
  auto enough = [this, &room, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = messages_.find(room);
    return it != messages_.end() && it->second.size() >= count;
  };
  return mu_.AwaitWithTimeout(enough, timeout);
}

std::vector<v1::ChatMessage> RecordingSubscriber::Messages(const std::string& room) const {
  parley::MutexLock lock(&mu_);
  auto it = messages_.find(room);
  return it == messages_.end() ? std::vector<v1::ChatMessage>{} : it->second;
}

std::vector<v1::Gap> RecordingSubscriber::Gaps() const {
  parley::MutexLock lock(&mu_);
  return gaps_;
}

std::vector<std::string> RecordingSubscriber::Endings() const {
  parley::MutexLock lock(&mu_);
  return endings_;
}

}  // namespace parley::testing
