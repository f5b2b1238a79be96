#include "send_call.h"

#include <grpcpp/client_context.h>

#include "channel.h"

namespace parley::client {

grpc::Status CallSend(parley::v1::Intake::Stub& stub, const parley::v1::SendRequest& request,
                      int64_t timeout_ms, const std::stop_token& stop_token,
                      parley::v1::SendResponse& response) {
  grpc::ClientContext context;
  context.set_deadline(DeadlineAfter(timeout_ms));
  std::stop_callback cancel_on_stop(stop_token, [&context] { context.TryCancel(); });
  return stub.Send(&context, request, &response);
}

}  // namespace parley::client
