#include "subscribe_command.h"

#include <iostream>
#include <optional>
#include <string>

#include <grpcpp/client_context.h>

#include "channel.h"
#include "event_format.h"
#include "output_line.h"
#include "parley/v1/chat.grpc.pb.h"
#include "rpc_status.h"

namespace parley::client {
namespace {

enum class PrintOutcome { kStreamEnded, kCountReached, kOutputFailed };

// Prints events until the stream ends, `count` message events have been
// printed (0 means no limit), or stdout fails.
PrintOutcome PrintEvents(grpc::ClientReaderInterface<parley::v1::Event>& reader,
                         EventFormat format, uint64_t count) {
  uint64_t messages_printed = 0;
  parley::v1::Event event;
  while (reader.Read(&event)) {
    const std::optional<std::string> line = FormatEvent(event, format);
    if (!line) continue;
    if (!WriteOutputLine(*line)) return PrintOutcome::kOutputFailed;
    if (event.has_message() && count > 0 && ++messages_printed >= count) {
      return PrintOutcome::kCountReached;
    }
  }
  return PrintOutcome::kStreamEnded;
}

}  // namespace

int RunSubscribeCommand(const GlobalOptions& global, const SubscribeOptions& options,
                        const std::stop_token& stop_token) {
  const auto stub =
      parley::v1::Broadcaster::NewStub(CreateClientChannel(global.broadcaster_address));

  parley::v1::SubscribeRequest request;
  for (const std::string& room : options.rooms) request.add_rooms(room);
  request.set_from_sequence(options.from_sequence);

  grpc::ClientContext context;
  std::stop_callback cancel_on_stop(stop_token, [&context] { context.TryCancel(); });
  const auto reader = stub->Subscribe(&context, request);

  const EventFormat format = options.json ? EventFormat::kJson : EventFormat::kText;
  const PrintOutcome outcome = PrintEvents(*reader, format, options.count);
  if (outcome != PrintOutcome::kStreamEnded) {
    // Finish may only run once no more messages can arrive.
    context.TryCancel();
    parley::v1::Event ignored;
    while (reader->Read(&ignored)) {
    }
  }
  const grpc::Status status = reader->Finish();

  if (outcome == PrintOutcome::kOutputFailed) {
    std::cerr << "error: writing an event to standard output failed" << std::endl;
    return 1;
  }
  if (outcome == PrintOutcome::kCountReached || stop_token.stop_requested()) return 0;
  if (!status.ok()) {
    PrintStatusError(status);
    return 1;
  }
  return 0;
}

}  // namespace parley::client
