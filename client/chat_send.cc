#include "chat_send.h"

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "absl/random/random.h"
#include "absl/strings/str_format.h"
#include "send_call.h"

namespace parley::client {
namespace {

// Pause before the single retry of a Send that failed with UNAVAILABLE.
constexpr std::chrono::milliseconds kRetryBackoff(250);

// Returns a random 128-bit id as 32 hex digits.
std::string NewClientMessageId() {
  absl::BitGen random;
  return absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(random),
                         absl::Uniform<uint64_t>(random));
}

// Waits for `duration` unless a stop is requested first. Returns false on
// a stop request.
bool WaitUnlessStopped(std::chrono::milliseconds duration, const std::stop_token& stop_token) {
  std::mutex mutex;
  std::condition_variable_any stopped;
  std::unique_lock lock(mutex);
  return !stopped.wait_for(lock, stop_token, duration, [] { return false; }) &&
         !stop_token.stop_requested();
}

}  // namespace

grpc::Status SendChatLine(parley::v1::Intake::Stub& stub, const std::string& room,
                          const std::string& sender, const std::string& text,
                          int64_t timeout_ms, const std::stop_token& stop_token,
                          parley::v1::SendResponse& response) {
  parley::v1::SendRequest request;
  request.set_room(room);
  request.set_sender(sender);
  request.set_text(text);
  request.set_client_message_id(NewClientMessageId());

  const grpc::Status status = CallSend(stub, request, timeout_ms, stop_token, response);
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return status;
  if (!WaitUnlessStopped(kRetryBackoff, stop_token)) return status;
  return CallSend(stub, request, timeout_ms, stop_token, response);
}

}  // namespace parley::client
