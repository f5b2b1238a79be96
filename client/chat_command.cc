#include "chat_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "channel.h"
#include "chat_send.h"
#include "event_format.h"
#include "line_reader.h"
#include "output_line.h"
#include "parley/v1/chat.grpc.pb.h"
#include "resuming_subscription.h"
#include "rpc_status.h"
#include "terminal_chat.h"

namespace parley::client {
namespace {

// How long the piped chat waits at end of input for its own messages.
constexpr absl::Duration kEchoTimeout = absl::Seconds(5);

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
    const grpc::Status status = SendChatLine(*stub_, options_.room, options_.sender, text,
                                             options_.timeout_ms, stop_token_, response);
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

// Prints why the subscription ended, unless the chat cancelled it. Call
// after it ended. Returns whether the end counts as a failure.
bool ReportSubscriptionEnd(const ResumingSubscription& subscription) {
  if (subscription.handler_stopped()) {
    std::cerr << "error: writing an event to standard output failed" << std::endl;
    return true;
  }
  if (subscription.cancelled()) return false;
  const grpc::Status status = subscription.status();
  if (status.ok()) {
    std::cerr << "the broadcaster ended the subscription" << std::endl;
    return false;
  }
  PrintStatusError(status);
  return true;
}

// Runs the chat for input that is not a terminal: every line is sent as
// it is, and events are printed as they arrive.
int RunPipedChat(const GlobalOptions& global, const ChatOptions& options,
                 const std::stop_token& stop_token) {
  // The session ends on a signal and when the subscription ends. Either
  // cancels the subscription and wakes the stdin reader.
  std::stop_source session;
  std::stop_callback stop_on_signal(stop_token, [&session] { session.request_stop(); });
  const TextStyle style{.colour = ColourSupported(STDOUT_FILENO)};
  ResumingSubscription subscription(
      CreateClientChannel(global.broadcaster_address),
      SubscriptionOptions{.rooms = {options.room}, .sender = options.sender,
                          .wait_for_first_connection = true},
      [style](const SubscriptionUpdate& update) {
        const std::optional<std::string> line = FormatUpdate(update, EventFormat::kText, style);
        return !line || WriteOutputLine(*line);
      },
      [&session](const grpc::Status&, bool) { session.request_stop(); });
  std::stop_callback cancel_subscription(session.get_token(),
                                         [&subscription] { subscription.Cancel(); });

  // Sending before the subscription is in place could miss the first
  // messages, so the chat reads no input until then.
  subscription.Start();
  if (!subscription.WaitUntilSubscribed(absl::Now() + absl::Milliseconds(options.timeout_ms))) {
    subscription.Stop();
    if (stop_token.stop_requested()) return 0;
    if (!subscription.cancelled()) return ReportSubscriptionEnd(subscription) ? 1 : 0;
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
      !subscription.WaitUntilSeen(options.room, highest_sent, absl::Now() + kEchoTimeout) &&
      !session.stop_requested()) {
    std::cerr << "warning: the subscription did not deliver this chat's messages up to "
              << "sequence " << highest_sent << " within "
              << absl::ToInt64Seconds(kEchoTimeout) << " s" << std::endl;
  }

  subscription.Stop();
  const bool subscription_failed = ReportSubscriptionEnd(subscription);
  return input.failed() || subscription_failed ? 1 : 0;
}

}  // namespace

int RunChatCommand(const GlobalOptions& global, const ChatOptions& options,
                   const std::stop_token& stop_token) {
  if (isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1) {
    return RunTerminalChat(global, options, stop_token);
  }
  return RunPipedChat(global, options, stop_token);
}

}  // namespace parley::client
