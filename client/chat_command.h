#ifndef PARLEY_CLIENT_CHAT_COMMAND_H_
#define PARLEY_CLIENT_CHAT_COMMAND_H_

#include <stop_token>

#include "options.h"

namespace parley::client {

// Runs a chat. When stdin and stdout are terminals, runs RunTerminalChat.
// Otherwise prints the room's events as they arrive and sends each
// non-empty stdin line as a message. At end of input it waits up to 5 s for
// its own messages to come back through the broadcaster, and prints a
// warning if they do not. Both reconnect to broadcaster and resume the room
// after the last sequence seen. A stop request on `stop_token` ends the
// chat. Returns the exit status: in the piped form, 1 when a send, reading
// stdin or the subscription failed (each failure is printed to stderr as an
// "error: ..." line), otherwise 0.
int RunChatCommand(const GlobalOptions& global, const ChatOptions& options,
                   const std::stop_token& stop_token);

}  // namespace parley::client

#endif  // PARLEY_CLIENT_CHAT_COMMAND_H_
