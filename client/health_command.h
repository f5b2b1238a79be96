#ifndef PARLEY_CLIENT_HEALTH_COMMAND_H_
#define PARLEY_CLIENT_HEALTH_COMMAND_H_

#include <stop_token>

#include "options.h"

namespace parley::client {

// Calls grpc.health.v1.Health/Check and prints the serving status, such as
// "SERVING" or "NOT_SERVING". Returns the exit status: 0 only for SERVING,
// 1 for any other status or after printing "error: CODE: message" to stderr.
int RunHealthCommand(const GlobalOptions& global, const HealthOptions& options,
                     const std::stop_token& stop_token);

}  // namespace parley::client

#endif  // PARLEY_CLIENT_HEALTH_COMMAND_H_
