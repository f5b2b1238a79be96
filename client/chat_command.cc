#include "chat_command.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "channel.h"
#include "line_reader.h"
#include "parley/v1/chat.grpc.pb.h"
#include "room_feed.h"
#include "rpc_status.h"
#include "send_call.h"

namespace parley::client {
namespace {

// How long the chat waits at end of input for its own messages to come back.
constexpr std::chrono::seconds kEchoTimeout(5);
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

// Sends one chat line, retrying once on UNAVAILABLE. The request carries a
// client_message_id, so intake returns the original result if the first
// attempt did reach it.
grpc::Status SendLine(parley::v1::Intake::Stub& stub, const ChatOptions& options,
                      const std::string& text, const std::stop_token& stop_token,
                      parley::v1::SendResponse& response) {
  parley::v1::SendRequest request;
  request.set_room(options.room);
  request.set_sender(options.sender);
  request.set_text(text);
  request.set_client_message_id(NewClientMessageId());

  const grpc::Status status = CallSend(stub, request, options.timeout_ms, stop_token, response);
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return status;
  if (!WaitUnlessStopped(kRetryBackoff, stop_token)) return status;
  return CallSend(stub, request, options.timeout_ms, stop_token, response);
}

// Reads stdin and sends each line until end of input or a stop request.
class ChatInput {
 public:
  ChatInput(const GlobalOptions& global, const ChatOptions& options, const std::stop_token& stop_token)
      : options_(options),
        stop_token_(stop_token),
        stub_(parley::v1::Intake::NewStub(CreateClientChannel(global.intake_address))),
        reader_(STDIN_FILENO, stop_token) {}

  // Returns true at end of input, false after a stop request or a read
  // error.
  bool SendAllLines() {
    std::string line;
    while (true) {
      switch (reader_.ReadLine(line)) {
        case LineReader::Result::kLine:
          if (!line.empty()) SendOneLine(line);
          break;
        case LineReader::Result::kLineTooLong:
          std::cerr << "error: an input line is longer than " << LineReader::kMaxLineBytes
                    << " bytes and was not sent" << std::endl;
          failed_ = true;
          break;
        case LineReader::Result::kEndOfFile:
          return true;
        case LineReader::Result::kStopped:
          return false;
        case LineReader::Result::kError:
          std::cerr << "error: reading standard input failed: "
                    << std::strerror(reader_.error_number()) << std::endl;
          failed_ = true;
          return false;
      }
    }
  }

  // Highest sequence intake assigned to a message of this chat, or 0 if none.
  uint64_t highest_sequence_sent() const { return highest_sequence_sent_; }
  bool failed() const { return failed_; }

 private:
  void SendOneLine(const std::string& text) {
    parley::v1::SendResponse response;
    const grpc::Status status = SendLine(*stub_, options_, text, stop_token_, response);
    if (status.ok()) {
      highest_sequence_sent_ = std::max(highest_sequence_sent_, response.sequence());
      return;
    }
    // A call cancelled because the chat is ending is not a failure of its own.
    if (stop_token_.stop_requested() && status.error_code() == grpc::StatusCode::CANCELLED) return;
    PrintStatusError(status);
    failed_ = true;
  }

  const ChatOptions& options_;
  const std::stop_token stop_token_;
  const std::unique_ptr<parley::v1::Intake::Stub> stub_;
  LineReader reader_;
  uint64_t highest_sequence_sent_ = 0;
  bool failed_ = false;
};

// Prints why the feed ended, unless the chat cancelled it. Call after
// feed.Stop(). Returns whether the end counts as a failure.
bool ReportFeedEnd(const RoomFeed& feed) {
  if (feed.output_failed()) {
    std::cerr << "error: writing an event to standard output failed" << std::endl;
    return true;
  }
  const grpc::Status status = feed.status();
  if (feed.cancelled() && status.error_code() == grpc::StatusCode::CANCELLED) return false;
  if (status.ok()) {
    std::cerr << "the broadcaster ended the subscription" << std::endl;
    return false;
  }
  PrintStatusError(status);
  return true;
}

}  // namespace

int RunChatCommand(const GlobalOptions& global, const ChatOptions& options,
                   const std::stop_token& stop_token) {
  // The session ends on a signal and when the subscription ends. Either
  // cancels the subscription and wakes the stdin reader.
  std::stop_source session;
  std::stop_callback stop_on_signal(stop_token, [&session] { session.request_stop(); });
  RoomFeed feed(CreateClientChannel(global.broadcaster_address), options.room,
                [&session] { session.request_stop(); });
  std::stop_callback cancel_feed(session.get_token(), [&feed] { feed.Cancel(); });

  // Sending before the subscription is in place could miss the first
  // messages, so the chat reads no input until then.
  feed.Start();
  if (!feed.WaitUntilSubscribed(std::chrono::steady_clock::now() +
                                std::chrono::milliseconds(options.timeout_ms))) {
    feed.Stop();
    if (stop_token.stop_requested()) return 0;
    if (!feed.cancelled()) return ReportFeedEnd(feed) ? 1 : 0;
    PrintStatusError(grpc::Status(
        grpc::StatusCode::DEADLINE_EXCEEDED,
        absl::StrCat("no connection to the broadcaster at ", global.broadcaster_address,
                     " within ", options.timeout_ms, " ms")));
    return 1;
  }

  ChatInput input(global, options, session.get_token());
  const bool end_of_input = input.SendAllLines();
  const uint64_t highest_sent = input.highest_sequence_sent();
  if (end_of_input && highest_sent > 0 &&
      !feed.WaitUntilSeen(highest_sent, std::chrono::steady_clock::now() + kEchoTimeout) &&
      !session.stop_requested()) {
    std::cerr << "warning: the subscription did not deliver this chat's messages up to "
              << "sequence " << highest_sent << " within " << kEchoTimeout.count() << " s"
              << std::endl;
  }

  feed.Stop();
  const bool feed_failed = ReportFeedEnd(feed);
  return input.failed() || feed_failed ? 1 : 0;
}

}  // namespace parley::client
