#ifndef PARLEY_CLIENT_EVENT_FORMAT_H_
#define PARLEY_CLIENT_EVENT_FORMAT_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "parley/v1/chat.pb.h"

namespace parley::client {

enum class EventFormat { kText, kJson };

// Formats one event as a single line without the trailing newline. Returns
// nullopt for an event whose kind this client does not know.
//
// Text:  "HH:MM:SS [room #seq] sender: text" (commit time in UTC) and
//        "[room] gap: sequences N..M-1 are no longer in history; continuing
//        at M".
// JSON:  {"type":"message","room":..,"sequence":N,"sender":..,"text":..,
//        "message_id":..,"commit_time":"2024-05-01T12:00:00.123456789Z"} and
//        {"type":"gap","room":..,"requested_sequence":N,
//        "first_available_sequence":M}.
std::optional<std::string> FormatEvent(const parley::v1::Event& event, EventFormat format);

std::string FormatMessageText(const parley::v1::ChatMessage& message);
std::string FormatGapText(const parley::v1::Gap& gap);
std::string FormatMessageJson(const parley::v1::ChatMessage& message);
std::string FormatGapJson(const parley::v1::Gap& gap);

// Returns `value` as a JSON string literal, quotes included. Escapes the
// quote, the backslash and every control character below U+0020 (as
// \u00XX); other bytes, including UTF-8 sequences, pass through unchanged.
std::string QuoteJsonString(absl::string_view value);

// Returns `value` with control characters replaced by visible escapes:
// \n, \r and \t, \xHH for other C0 controls and DEL, and \u00HH for UTF-8
// encoded C1 controls. Text from other users then cannot move the cursor or
// send escape sequences to the terminal. The result is for display only,
// because a backslash in `value` is not escaped.
std::string EscapeForTerminal(absl::string_view value);

// Formats `timestamp` in UTC as RFC 3339 with nine fractional digits, such
// as "2024-05-01T12:00:00.123456789Z".
std::string FormatRfc3339(const google::protobuf::Timestamp& timestamp);

// Formats `timestamp` in UTC as "HH:MM:SS".
std::string FormatClockTime(const google::protobuf::Timestamp& timestamp);

}  // namespace parley::client

#endif  // PARLEY_CLIENT_EVENT_FORMAT_H_
