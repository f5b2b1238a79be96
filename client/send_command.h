#ifndef PARLEY_CLIENT_SEND_COMMAND_H_
#define PARLEY_CLIENT_SEND_COMMAND_H_

#include <stop_token>

#include "options.h"

namespace parley::client {

// Sends one message through intake and prints
// "room=R sequence=N message_id=ID". Returns the exit status: 0 on success,
// 1 after printing "error: CODE: message" to stderr.
int RunSendCommand(const GlobalOptions& global, const SendOptions& options,
                   const std::stop_token& stop_token);

}  // namespace parley::client

#endif  // PARLEY_CLIENT_SEND_COMMAND_H_
