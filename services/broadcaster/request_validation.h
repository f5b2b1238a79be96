#ifndef PARLEY_SERVICES_BROADCASTER_REQUEST_VALIDATION_H_
#define PARLEY_SERVICES_BROADCASTER_REQUEST_VALIDATION_H_

// Input rules of the public Broadcaster calls. Every error is
// INVALID_ARGUMENT with a message that names the field and the limit.

#include <cstddef>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/support/byte_buffer.h"
#include "parley/v1/chat.pb.h"

namespace parley::broadcaster {

inline constexpr int kMaxRoomsPerSubscription = 64;
inline constexpr size_t kDefaultHistoryLimit = 50;

// Parses the raw request of the Subscribe method, which the service
// registers as a raw method so that it can write pre-serialized events.
absl::StatusOr<v1::SubscribeRequest> ParseSubscribeRequest(const grpc::ByteBuffer& raw_request);

// Checks that the rooms are 1 to 64 distinct valid names and that a
// non-empty sender follows the sender rules that intake applies to Send.
absl::Status ValidateSubscribe(const v1::SubscribeRequest& request);

// Returns the number of messages to return: `limit`, or for 0 the default
// of 50 capped at `max_limit`, the history size per room.
absl::StatusOr<size_t> ValidateHistory(const v1::HistoryRequest& request, size_t max_limit);

absl::Status ValidateMembers(const v1::MembersRequest& request);

}  // namespace parley::broadcaster

#endif  // PARLEY_SERVICES_BROADCASTER_REQUEST_VALIDATION_H_
