#include "send_command.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "channel.h"
#include "output_line.h"
#include "parley/v1/chat.grpc.pb.h"
#include "rpc_status.h"
#include "send_call.h"

namespace parley::client {

int RunSendCommand(const GlobalOptions& global, const SendOptions& options,
                   const std::stop_token& stop_token) {
  const auto stub = parley::v1::Intake::NewStub(CreateClientChannel(global.intake_address));

  parley::v1::SendRequest request;
  request.set_room(options.room);
  request.set_sender(options.sender);
  request.set_text(options.text);
  request.set_client_message_id(options.client_message_id);

  parley::v1::SendResponse response;
  const grpc::Status status = CallSend(*stub, request, options.timeout_ms, stop_token, response);
  if (!status.ok()) {
    PrintStatusError(status);
    return 1;
  }
  if (!WriteOutputLine(absl::StrCat("room=", response.room(), " sequence=", response.sequence(),
                                    " message_id=", response.message_id()))) {
    std::cerr << "error: writing to standard output failed, but the message was sent as sequence "
              << response.sequence() << std::endl;
    return 1;
  }
  return 0;
}

}  // namespace parley::client
