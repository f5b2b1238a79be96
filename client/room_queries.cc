#include "room_queries.h"

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "channel.h"
#include "event_format.h"
#include "rpc_status.h"

namespace parley::client {

std::vector<std::string> QueryMembers(parley::v1::Broadcaster::Stub& stub, const std::string& room,
                                      int64_t timeout_ms, TextStyle style) {
  grpc::ClientContext context;
  context.set_deadline(DeadlineAfter(timeout_ms));
  parley::v1::MembersRequest request;
  request.set_room(room);
  parley::v1::MembersResponse response;
  const grpc::Status status = stub.Members(&context, request, &response);
  if (!status.ok()) return {FormatQueryError("/who", status, style)};
  return {FormatMembers(room, response, style)};
}

std::vector<std::string> QueryHistory(parley::v1::Broadcaster::Stub& stub, const std::string& room,
                                      uint32_t count, int64_t timeout_ms, TextStyle style) {
  grpc::ClientContext context;
  context.set_deadline(DeadlineAfter(timeout_ms));
  parley::v1::HistoryRequest request;
  request.set_room(room);
  request.set_limit(count);
  parley::v1::HistoryResponse response;
  const grpc::Status status = stub.History(&context, request, &response);
  if (!status.ok()) return {FormatQueryError("/history", status, style)};

  std::vector<std::string> lines;
  lines.push_back(Paint(absl::StrCat("-- history of #", EscapeForTerminal(room), ": ",
                                     response.messages_size(), " of the last ", count,
                                     " messages"),
                        kNoticeColour, style));
  for (const parley::v1::ChatMessage& message : response.messages()) {
    lines.push_back(FormatMessageText(message, style));
  }
  lines.push_back(Paint("-- end of history", kNoticeColour, style));
  return lines;
}

std::string FormatMembers(const std::string& room, const parley::v1::MembersResponse& response,
                          TextStyle style) {
  std::vector<std::string> members;
  for (const parley::v1::Member& member : response.members()) {
    std::string streams;
    if (member.subscriptions() > 1) absl::StrAppend(&streams, ", ", member.subscriptions(), " streams");
    members.push_back(absl::StrCat(
        Paint(EscapeForTerminal(member.sender()), SenderColour(member.sender()), style),
        " (since ", FormatClockTime(member.since()), streams, ")"));
  }
  const std::string list = members.empty() ? "nobody" : absl::StrJoin(members, ", ");
  return absl::StrCat(Paint(absl::StrCat("-- ", response.members_size(), " in #",
                                         EscapeForTerminal(room), ":"),
                            kNoticeColour, style),
                      " ", list);
}

std::string FormatQueryError(const std::string& command, const grpc::Status& status,
                             TextStyle style) {
  if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
    return Paint(absl::StrCat("-- ", command, " is not available: this broadcaster does not ",
                              "implement it (UNIMPLEMENTED)"),
                 kNoticeColour, style);
  }
  return Paint(absl::StrCat("-- ", command, " failed: ", StatusCodeName(status.error_code()), ": ",
                            EscapeForTerminal(status.error_message())),
               kNoticeColour, style);
}

}  // namespace parley::client
