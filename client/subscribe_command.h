#ifndef PARLEY_CLIENT_SUBSCRIBE_COMMAND_H_
#define PARLEY_CLIENT_SUBSCRIBE_COMMAND_H_

#include <stop_token>

#include "options.h"

namespace parley::client {

// Streams the events of the requested rooms to stdout, one flushed line per
// update (see FormatUpdate), and returns the exit status. Unless
// `options.resume` is off, a stream that fails with a retryable status after
// it was open is reopened from the last sequence seen per room. The status
// is 0 when the stream ends OK, when `options.count` messages have been
// printed, or when a stop is requested on `stop_token`. It is 1 when the
// stream fails for good or stdout cannot be written, after printing an
// "error: ..." line to stderr.
int RunSubscribeCommand(const GlobalOptions& global, const SubscribeOptions& options,
                        const std::stop_token& stop_token);

}  // namespace parley::client

#endif  // PARLEY_CLIENT_SUBSCRIBE_COMMAND_H_
