#ifndef PARLEY_CLIENT_CHAT_SEND_H_
#define PARLEY_CLIENT_CHAT_SEND_H_

#include <cstdint>
#include <stop_token>
#include <string>

#include <grpcpp/support/status.h>

#include "parley/v1/chat.grpc.pb.h"

namespace parley::client {

// Sends one chat line to `room` with a new random client message id, and
// retries once after 250 ms when the call fails with UNAVAILABLE. The retry
// uses the same id, so intake returns the first attempt's result if that
// attempt did reach it. A stop request on `stop_token` cancels the call.
grpc::Status SendChatLine(parley::v1::Intake::Stub& stub, const std::string& room,
                          const std::string& sender, const std::string& text,
                          int64_t timeout_ms, const std::stop_token& stop_token,
                          parley::v1::SendResponse& response);

}  // namespace parley::client

#endif  // PARLEY_CLIENT_CHAT_SEND_H_
