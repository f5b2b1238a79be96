#ifndef PARLEY_CLIENT_RPC_STATUS_H_
#define PARLEY_CLIENT_RPC_STATUS_H_

#include <string>

#include <grpcpp/support/status.h>

namespace parley::client {

// Returns the canonical upper-case name of `code`, such as
// "INVALID_ARGUMENT", or "CODE_<number>" for a value outside the enum.
std::string StatusCodeName(grpc::StatusCode code);

// Formats `status` as "error: <CODE_NAME>: <message>", leaving out
// ": <message>" when the message is empty.
std::string FormatStatusError(const grpc::Status& status);

// Writes FormatStatusError(status) and a newline to stderr.
void PrintStatusError(const grpc::Status& status);

}  // namespace parley::client

#endif  // PARLEY_CLIENT_RPC_STATUS_H_
