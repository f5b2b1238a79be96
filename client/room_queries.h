#ifndef PARLEY_CLIENT_ROOM_QUERIES_H_
#define PARLEY_CLIENT_ROOM_QUERIES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "parley/v1/chat.grpc.pb.h"
#include "text_style.h"

namespace parley::client {

// Calls Broadcaster.Members for `room` and returns the lines /who prints:
// the members with how long they have been subscribed, or the error.
std::vector<std::string> QueryMembers(parley::v1::Broadcaster::Stub& stub, const std::string& room,
                                      int64_t timeout_ms, TextStyle style);

// Calls Broadcaster.History for the last `count` messages of `room` and
// returns the lines /history prints, oldest message first, or the error.
std::vector<std::string> QueryHistory(parley::v1::Broadcaster::Stub& stub, const std::string& room,
                                      uint32_t count, int64_t timeout_ms, TextStyle style);

// Formats a members response as one line, such as
// "-- 2 in #lobby: alice (since 12:00:01), bob (since 12:03:10, 2 streams)".
std::string FormatMembers(const std::string& room, const parley::v1::MembersResponse& response,
                          TextStyle style);

// Formats the error of a /who or /history call. For UNIMPLEMENTED the line
// states that the broadcaster does not support the command.
std::string FormatQueryError(const std::string& command, const grpc::Status& status,
                             TextStyle style);

}  // namespace parley::client

#endif  // PARLEY_CLIENT_ROOM_QUERIES_H_
