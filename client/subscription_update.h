#ifndef PARLEY_CLIENT_SUBSCRIPTION_UPDATE_H_
#define PARLEY_CLIENT_SUBSCRIPTION_UPDATE_H_

#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include <grpcpp/support/status.h>

#include "parley/v1/chat.pb.h"

namespace parley::client {

// The stream to broadcaster failed with a retryable status, and the
// subscription is about to reconnect.
struct ConnectionLost {
  grpc::Status status;
};

// A new stream is open after ConnectionLost.
struct Reconnected {
  // Subscribe calls made since the connection was lost, this one included.
  int attempts = 0;
  // First sequence requested per room; 0 means live messages only, for a
  // room in which no message had arrived yet.
  std::map<std::string, uint64_t> resume_from;
};

// An update that a ResumingSubscription reports, in order, on its own thread.
using SubscriptionUpdate = std::variant<parley::v1::Event, ConnectionLost, Reconnected>;

}  // namespace parley::client

#endif  // PARLEY_CLIENT_SUBSCRIPTION_UPDATE_H_
