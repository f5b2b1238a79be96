#include "subscribe_command.h"

#include <unistd.h>

#include <iostream>
#include <optional>
#include <string>
#include <variant>

#include "channel.h"
#include "event_format.h"
#include "output_line.h"
#include "resuming_subscription.h"
#include "rpc_status.h"

namespace parley::client {
namespace {

// Prints each update as one line and counts the messages. Runs on the
// subscription thread.
class UpdatePrinter {
 public:
  UpdatePrinter(EventFormat format, uint64_t count)
      : format_(format), count_(count), style_{.colour = ColourSupported(STDOUT_FILENO)} {}

  // Returns false once `count` messages have been printed or stdout failed.
  bool Print(const SubscriptionUpdate& update) {
    const std::optional<std::string> line = FormatUpdate(update, format_, style_);
    if (!line) return true;
    if (!WriteOutputLine(*line)) {
      output_failed_ = true;
      return false;
    }
    const auto* event = std::get_if<parley::v1::Event>(&update);
    if (event != nullptr && event->has_message() && count_ > 0 && ++messages_printed_ >= count_) {
      count_reached_ = true;
      return false;
    }
    return true;
  }

  // Call after the subscription ended.
  bool output_failed() const { return output_failed_; }
  bool count_reached() const { return count_reached_; }

 private:
  const EventFormat format_;
  const uint64_t count_;
  const TextStyle style_;
  uint64_t messages_printed_ = 0;
  bool output_failed_ = false;
  bool count_reached_ = false;
};

}  // namespace

int RunSubscribeCommand(const GlobalOptions& global, const SubscribeOptions& options,
                        const std::stop_token& stop_token) {
  UpdatePrinter printer(options.json ? EventFormat::kJson : EventFormat::kText, options.count);
  ResumingSubscription subscription(
      CreateClientChannel(global.broadcaster_address),
      SubscriptionOptions{.rooms = options.rooms,
                          .from_sequence = options.from_sequence,
                          .resume = options.resume},
      [&printer](const SubscriptionUpdate& update) { return printer.Print(update); });
  std::stop_callback cancel_on_stop(stop_token, [&subscription] { subscription.Cancel(); });
  subscription.Start();
  subscription.Join();

  if (printer.output_failed()) {
    std::cerr << "error: writing an event to standard output failed" << std::endl;
    return 1;
  }
  if (printer.count_reached() || subscription.cancelled()) return 0;
  const grpc::Status status = subscription.status();
  if (!status.ok()) {
    PrintStatusError(status);
    return 1;
  }
  return 0;
}

}  // namespace parley::client
