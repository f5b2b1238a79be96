#ifndef PARLEY_TESTS_SUPPORT_CHAT_CLIENT_H_
#define PARLEY_TESTS_SUPPORT_CHAT_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "parley/base/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "parley/v1/chat.grpc.pb.h"

namespace parley::testing {

// A client of Intake.Send on one channel, which reconnects by itself when
// intake restarts. Thread-safe.
class IntakeClient {
 public:
  explicit IntakeClient(const std::string& intake_address);

  // Sends one message with `timeout` as the call deadline.
  absl::StatusOr<v1::SendResponse> Send(const std::string& room, const std::string& sender,
                                        const std::string& text,
                                        const std::string& client_message_id,
                                        absl::Duration timeout);

  // Like Send, but retries with the same client_message_id while the call
  // fails with UNAVAILABLE, DEADLINE_EXCEEDED or CANCELLED, until `give_up`.
  absl::StatusOr<v1::SendResponse> SendWithRetries(const std::string& room,
                                                   const std::string& sender,
                                                   const std::string& text,
                                                   const std::string& client_message_id,
                                                   absl::Time give_up);

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Intake::Stub> stub_;
};

// Sends one message through intake with `timeout` as the call deadline.
absl::StatusOr<v1::SendResponse> SendMessage(const std::string& intake_address,
                                             const std::string& room, const std::string& sender,
                                             const std::string& text,
                                             const std::string& client_message_id,
                                             absl::Duration timeout);

// A subscriber that records every event it receives on a background thread.
// When its stream ends with an error it subscribes again, resuming each room
// right after the last sequence it received.
class RecordingSubscriber {
 public:
  RecordingSubscriber(std::string broadcaster_address, std::vector<std::string> rooms);
  ~RecordingSubscriber();  // cancels the stream and joins

  // Blocks until the stream is open (first start or after a resume).
  bool WaitSubscribed(absl::Duration timeout);

  // Blocks until `room` has `count` messages or `timeout` passes.
  bool WaitForMessages(const std::string& room, size_t count, absl::Duration timeout);

  // Messages received in `room`, in arrival order, duplicates included.
  std::vector<v1::ChatMessage> Messages(const std::string& room) const;
  std::vector<v1::Gap> Gaps() const;
  // Status messages of streams that ended, in order.
  std::vector<std::string> Endings() const;

  void Stop();

 private:
  void Run();
  bool RunStream();

  const std::string address_;
  const std::vector<std::string> rooms_;
  std::shared_ptr<grpc::Channel> channel_;

  mutable parley::Mutex mu_;
  std::map<std::string, std::vector<v1::ChatMessage>> messages_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::Gap> gaps_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> endings_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t> last_ ABSL_GUARDED_BY(mu_);
  uint64_t streams_open_ ABSL_GUARDED_BY(mu_) = 0;
  bool subscribed_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;

  std::thread thread_;
};

}  // namespace parley::testing

#endif  // PARLEY_TESTS_SUPPORT_CHAT_CLIENT_H_
