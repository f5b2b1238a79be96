#include "event_format.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

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

std::optional<std::string> FormatEvent(const parley::v1::Event& event, EventFormat format) {
  const bool json = format == EventFormat::kJson;
  switch (event.kind_case()) {
    case parley::v1::Event::kMessage:
      return json ? FormatMessageJson(event.message()) : FormatMessageText(event.message());
    case parley::v1::Event::kGap:
      return json ? FormatGapJson(event.gap()) : FormatGapText(event.gap());
    default:
      return std::nullopt;
  }
}

std::string FormatMessageText(const parley::v1::ChatMessage& message) {
  return absl::StrCat(FormatClockTime(message.commit_time()), " [", EscapeForTerminal(message.room()),
                      " #", message.sequence(), "] ", EscapeForTerminal(message.sender()), ": ",
                      EscapeForTerminal(message.text()));
}

std::string FormatGapText(const parley::v1::Gap& gap) {
  // A gap always has first_available_sequence > requested_sequence, but the
  // client must not print an underflowed number if a server breaks that.
  const uint64_t first_available = gap.first_available_sequence();
  const uint64_t last_missing = first_available > 0 ? first_available - 1 : 0;
  return absl::StrCat("[", EscapeForTerminal(gap.room()), "] gap: sequences ",
                      gap.requested_sequence(), "..", last_missing,
                      " are no longer in history; continuing at ", first_available);
}

std::string FormatMessageJson(const parley::v1::ChatMessage& message) {
  return absl::StrCat(R"({"type":"message","room":)", QuoteJsonString(message.room()),
                      R"(,"sequence":)", message.sequence(),
                      R"(,"sender":)", QuoteJsonString(message.sender()),
                      R"(,"text":)", QuoteJsonString(message.text()),
                      R"(,"message_id":)", QuoteJsonString(message.message_id()),
                      R"(,"commit_time":")", FormatRfc3339(message.commit_time()), R"("})");
}

std::string FormatGapJson(const parley::v1::Gap& gap) {
  return absl::StrCat(R"({"type":"gap","room":)", QuoteJsonString(gap.room()),
                      R"(,"requested_sequence":)", gap.requested_sequence(),
                      R"(,"first_available_sequence":)", gap.first_available_sequence(), "}");
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
