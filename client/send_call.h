#ifndef PARLEY_CLIENT_SEND_CALL_H_
#define PARLEY_CLIENT_SEND_CALL_H_

#include <cstdint>
#include <stop_token>

#include <grpcpp/support/status.h>

#include "parley/v1/chat.grpc.pb.h"

namespace parley::client {

// Calls Intake/Send with a deadline `timeout_ms` from now. A stop request on
// `stop_token` cancels the call, which then fails with CANCELLED. The call
// fails at once with UNAVAILABLE while intake cannot be reached.
grpc::Status CallSend(parley::v1::Intake::Stub& stub, const parley::v1::SendRequest& request,
                      int64_t timeout_ms, const std::stop_token& stop_token,
                      parley::v1::SendResponse& response);

}  // namespace parley::client

#endif  // PARLEY_CLIENT_SEND_CALL_H_
