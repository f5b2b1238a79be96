// JSON forms of the updates that event_format.h declares. docs/cli.md
// lists the fields; they may only be added to, at the end of an object.

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "event_format.h"
#include "rpc_status.h"

namespace parley::client {
namespace {

absl::string_view MessageKindName(parley::v1::ChatMessage::Kind kind) {
  return kind == parley::v1::ChatMessage::KIND_ACTION ? "action" : "text";
}

}  // namespace

std::string FormatMessageJson(const parley::v1::ChatMessage& message) {
  return absl::StrCat(R"({"type":"message","room":)", QuoteJsonString(message.room()),
                      R"(,"sequence":)", message.sequence(),
                      R"(,"sender":)", QuoteJsonString(message.sender()),
                      R"(,"text":)", QuoteJsonString(message.text()),
                      R"(,"message_id":)", QuoteJsonString(message.message_id()),
                      R"(,"commit_time":")", FormatRfc3339(message.commit_time()),
                      R"(","kind":")", MessageKindName(message.kind()), R"("})");
}

std::string FormatGapJson(const parley::v1::Gap& gap) {
  return absl::StrCat(R"({"type":"gap","room":)", QuoteJsonString(gap.room()),
                      R"(,"requested_sequence":)", gap.requested_sequence(),
                      R"(,"first_available_sequence":)", gap.first_available_sequence(),
                      R"(,"missed":)", MissedMessageCount(gap), "}");
}

std::optional<std::string> FormatPresenceJson(const parley::v1::Presence& presence) {
  const std::optional<absl::string_view> change = PresenceChangeName(presence.change());
  if (!change) return std::nullopt;
  return absl::StrCat(R"({"type":"presence","room":)", QuoteJsonString(presence.room()),
                      R"(,"sender":)", QuoteJsonString(presence.sender()),
                      R"(,"change":")", *change,
                      R"(","time":")", FormatRfc3339(presence.time()), R"("})");
}

std::string FormatConnectionLostJson(const ConnectionLost& lost) {
  return absl::StrCat(R"({"type":"disconnected","code":")",
                      StatusCodeName(lost.status.error_code()),
                      R"(","error":)", QuoteJsonString(lost.status.error_message()), "}");
}

std::string FormatReconnectedJson(const Reconnected& reconnected) {
  std::vector<std::string> positions;
  for (const auto& [room, sequence] : reconnected.resume_from) {
    positions.push_back(absl::StrCat(QuoteJsonString(room), ":", sequence));
  }
  return absl::StrCat(R"({"type":"reconnected","attempts":)", reconnected.attempts,
                      R"(,"resume_from":{)", absl::StrJoin(positions, ","), "}}");
}

}  // namespace parley::client
