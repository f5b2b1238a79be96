#include "request_validation.h"

#include <algorithm>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "parley/chat/validation.h"

namespace parley::broadcaster {

absl::StatusOr<v1::SubscribeRequest> ParseSubscribeRequest(const grpc::ByteBuffer& raw_request) {
  // Deserialize consumes its buffer, and the copy shares the slices.
  grpc::ByteBuffer buffer(raw_request);
  v1::SubscribeRequest request;
  grpc::Status status =
      grpc::SerializationTraits<v1::SubscribeRequest>::Deserialize(&buffer, &request);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("request: not a valid parley.v1.SubscribeRequest (", raw_request.Length(),
                     " bytes failed to parse)"));
  }
  return request;
}

absl::Status ValidateSubscribe(const v1::SubscribeRequest& request) {
  if (request.rooms().empty()) {
    return absl::InvalidArgumentError("rooms: at least one room is required");
  }
  if (request.rooms_size() > kMaxRoomsPerSubscription) {
    return absl::InvalidArgumentError(absl::StrCat("rooms: ", request.rooms_size(),
                                                   " rooms given, the maximum is ",
                                                   kMaxRoomsPerSubscription));
  }
  for (const std::string& room : request.rooms()) {
    absl::Status status = chat::ValidateRoom("rooms", room, chat::Limits{});
    if (!status.ok()) return status;
  }
  absl::flat_hash_set<std::string> seen;
  for (const std::string& room : request.rooms()) {
    if (!seen.insert(room).second) {
      return absl::InvalidArgumentError(absl::StrCat("rooms: room '", room, "' is listed twice"));
    }
  }
  if (!request.sender().empty()) {
    if (absl::Status status = chat::ValidateSender(request.sender(), chat::Limits{});
        !status.ok()) {
      return status;
    }
  }
  for (const auto& [room, sequence] : request.room_from_sequence()) {
    if (std::find(request.rooms().begin(), request.rooms().end(), room) == request.rooms().end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("room_from_sequence: room '", room, "' is not in rooms"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> ValidateHistory(const v1::HistoryRequest& request, size_t max_limit) {
  if (absl::Status status = chat::ValidateRoom("room", request.room(), chat::Limits{});
      !status.ok()) {
    return status;
  }
  if (request.limit() == 0) return std::min(kDefaultHistoryLimit, max_limit);
  if (request.limit() > max_limit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: ", request.limit(), " is above the maximum of ", max_limit,
                     " (history.max_messages_per_room)"));
  }
  return static_cast<size_t>(request.limit());
}

absl::Status ValidateMembers(const v1::MembersRequest& request) {
  return chat::ValidateRoom("room", request.room(), chat::Limits{});
}

}  // namespace parley::broadcaster
