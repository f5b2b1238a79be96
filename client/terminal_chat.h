#ifndef PARLEY_CLIENT_TERMINAL_CHAT_H_
#define PARLEY_CLIENT_TERMINAL_CHAT_H_

#include <stop_token>

#include "options.h"

namespace parley::client {

// Runs the chat on a terminal: a libedit input line below the room events,
// the commands of ChatCommandHelp(), and one resuming subscription per
// joined room under the user's name. Requires stdin and stdout to be
// terminals. Ends on /quit, Ctrl-D on an empty line, or a stop request on
// `stop_token`, and restores the terminal. Returns the exit status: 1 when
// the first subscription could not be opened or reading input failed,
// otherwise 0.
int RunTerminalChat(const GlobalOptions& global, const ChatOptions& options,
                    const std::stop_token& stop_token);

}  // namespace parley::client

#endif  // PARLEY_CLIENT_TERMINAL_CHAT_H_
