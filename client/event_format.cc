#include "event_format.h"

#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "rpc_status.h"

namespace parley::client {
namespace {

absl::Time ToAbslTime(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

bool IsC0OrDelete(unsigned char byte) { return byte < 0x20 || byte == 0x7f; }

// UTF-8 encodes U+0080..U+009F as 0xC2 followed by 0x80..0x9F.
bool IsC1Sequence(absl::string_view value, size_t i) {
  if (static_cast<unsigned char>(value[i]) != 0xc2 || i + 1 >= value.size()) return false;
  const auto next = static_cast<unsigned char>(value[i + 1]);
  return next >= 0x80 && next <= 0x9f;
}

}  // namespace

std::optional<std::string> FormatUpdate(const SubscriptionUpdate& update, EventFormat format,
                                        TextStyle style) {
  const bool json = format == EventFormat::kJson;
  if (const auto* lost = std::get_if<ConnectionLost>(&update)) {
    return json ? FormatConnectionLostJson(*lost) : FormatConnectionLostText(*lost, style);
  }
  if (const auto* reconnected = std::get_if<Reconnected>(&update)) {
    return json ? FormatReconnectedJson(*reconnected) : FormatReconnectedText(*reconnected, style);
  }
  const auto& event = std::get<parley::v1::Event>(update);
  switch (event.kind_case()) {
    case parley::v1::Event::kMessage:
      return json ? FormatMessageJson(event.message()) : FormatMessageText(event.message(), style);
    case parley::v1::Event::kGap:
      return json ? FormatGapJson(event.gap()) : FormatGapText(event.gap(), style);
    case parley::v1::Event::kPresence:
      return json ? FormatPresenceJson(event.presence())
                  : FormatPresenceText(event.presence(), style);
    default:
      return std::nullopt;
  }
}

std::string FormatMessageText(const parley::v1::ChatMessage& message, TextStyle style) {
  const std::string time = Paint(FormatClockTime(message.commit_time()), kDim, style);
  const std::string sender =
      Paint(EscapeForTerminal(message.sender()), SenderColour(message.sender()), style);
  const std::string place =
      absl::StrCat("[", EscapeForTerminal(message.room()), " #", message.sequence(), "]");
  const std::string text = EscapeForTerminal(message.text());
  if (message.kind() == parley::v1::ChatMessage::KIND_ACTION) {
    return absl::StrCat(time, " ", place, " * ", sender, " ", text);
  }
  return absl::StrCat(time, " ", place, " ", sender, ": ", text);
}

std::string FormatGapText(const parley::v1::Gap& gap, TextStyle style) {
  // A gap always has first_available_sequence > requested_sequence, but the
  // client must not print an underflowed number if a server breaks that.
  const uint64_t first_available = gap.first_available_sequence();
  const uint64_t last_missing = first_available > 0 ? first_available - 1 : 0;
  const uint64_t missed = MissedMessageCount(gap);
  return Paint(absl::StrCat("[", EscapeForTerminal(gap.room()), "] gap: ", missed,
                            missed == 1 ? " message is" : " messages are", " gone (sequences ",
                            gap.requested_sequence(), "..", last_missing,
                            " are no longer in history); continuing at ", first_available),
               kNoticeColour, style);
}

std::optional<std::string> FormatPresenceText(const parley::v1::Presence& presence,
                                              TextStyle style) {
  const std::optional<absl::string_view> change = PresenceChangeName(presence.change());
  if (!change) return std::nullopt;
  return absl::StrCat(
      Paint(FormatClockTime(presence.time()), kDim, style), " -- ",
      Paint(EscapeForTerminal(presence.sender()), SenderColour(presence.sender()), style), " ",
      *change, " #", EscapeForTerminal(presence.room()));
}

std::string FormatConnectionLostText(const ConnectionLost& lost, TextStyle style) {
  return Paint(absl::StrCat("-- lost the connection to the broadcaster (",
                            StatusCodeName(lost.status.error_code()), ": ",
                            EscapeForTerminal(lost.status.error_message()), "); reconnecting"),
               kNoticeColour, style);
}

std::string FormatReconnectedText(const Reconnected& reconnected, TextStyle style) {
  std::vector<std::string> rooms;
  for (const auto& [room, sequence] : reconnected.resume_from) {
    rooms.push_back(sequence == 0
                        ? absl::StrCat(EscapeForTerminal(room), " with new messages")
                        : absl::StrCat(EscapeForTerminal(room), " at #", sequence));
  }
  return Paint(absl::StrCat("-- reconnected to the broadcaster after ", reconnected.attempts,
                            reconnected.attempts == 1 ? " attempt" : " attempts",
                            "; resuming ", absl::StrJoin(rooms, ", ")),
               kNoticeColour, style);
}

uint64_t MissedMessageCount(const parley::v1::Gap& gap) {
  if (gap.first_available_sequence() <= gap.requested_sequence()) return 0;
  return gap.first_available_sequence() - gap.requested_sequence();
}

std::optional<absl::string_view> PresenceChangeName(parley::v1::Presence::Change change) {
  switch (change) {
    case parley::v1::Presence::CHANGE_JOINED:
      return "joined";
    case parley::v1::Presence::CHANGE_LEFT:
      return "left";
    default:
      return std::nullopt;
  }
}

std::string QuoteJsonString(absl::string_view value) {
  std::string quoted = "\"";
  quoted.reserve(value.size() + 2);
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      quoted.push_back('\\');
      quoted.push_back(c);
    } else if (byte < 0x20) {
      absl::StrAppendFormat(&quoted, "\\u%04x", byte);
    } else {
      quoted.push_back(c);
    }
  }
  quoted.push_back('"');
  return quoted;
}

std::string EscapeForTerminal(absl::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    const auto byte = static_cast<unsigned char>(value[i]);
    if (byte == '\n') {
      escaped += "\\n";
    } else if (byte == '\r') {
      escaped += "\\r";
    } else if (byte == '\t') {
      escaped += "\\t";
    } else if (IsC0OrDelete(byte)) {
      absl::StrAppendFormat(&escaped, "\\x%02x", byte);
    } else if (IsC1Sequence(value, i)) {
      absl::StrAppendFormat(&escaped, "\\u%04x", static_cast<unsigned char>(value[i + 1]));
      ++i;
    } else {
      escaped.push_back(value[i]);
    }
  }
  return escaped;
}

std::string FormatRfc3339(const google::protobuf::Timestamp& timestamp) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", ToAbslTime(timestamp), absl::UTCTimeZone());
}

std::string FormatClockTime(const google::protobuf::Timestamp& timestamp) {
  return absl::FormatTime("%H:%M:%S", ToAbslTime(timestamp), absl::UTCTimeZone());
}

}  // namespace parley::client
