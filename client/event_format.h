#ifndef PARLEY_CLIENT_EVENT_FORMAT_H_
#define PARLEY_CLIENT_EVENT_FORMAT_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "parley/v1/chat.pb.h"
#include "subscription_update.h"
#include "text_style.h"

namespace parley::client {

enum class EventFormat { kText, kJson };

// Formats one update as a single line without the trailing newline, in the
// forms docs/cli.md lists. Returns nullopt for an event whose kind this
// client does not know. `style` applies to text only.
std::optional<std::string> FormatUpdate(const SubscriptionUpdate& update, EventFormat format,
                                        TextStyle style = {});

// Text forms, such as "12:00:03 [lobby #7] carol: hello" (commit time in
// UTC), "12:00:03 [lobby #8] * carol waves" for KIND_ACTION and
// "12:00:04 -- ann joined #lobby".
std::string FormatMessageText(const parley::v1::ChatMessage& message, TextStyle style = {});
std::string FormatGapText(const parley::v1::Gap& gap, TextStyle style = {});
// Returns nullopt for an unknown presence change.
std::optional<std::string> FormatPresenceText(const parley::v1::Presence& presence,
                                              TextStyle style = {});
std::string FormatConnectionLostText(const ConnectionLost& lost, TextStyle style = {});
std::string FormatReconnectedText(const Reconnected& reconnected, TextStyle style = {});

// JSON forms: one object with a "type" of message, gap, presence,
// disconnected or reconnected.
std::string FormatMessageJson(const parley::v1::ChatMessage& message);
std::string FormatGapJson(const parley::v1::Gap& gap);
std::optional<std::string> FormatPresenceJson(const parley::v1::Presence& presence);
std::string FormatConnectionLostJson(const ConnectionLost& lost);
std::string FormatReconnectedJson(const Reconnected& reconnected);

// Returns "joined" or "left", or nullopt for an unknown change.
std::optional<absl::string_view> PresenceChangeName(parley::v1::Presence::Change change);

// Returns how many sequences a gap skips: first_available_sequence minus
// requested_sequence, or 0 when a server sends them out of order.
uint64_t MissedMessageCount(const parley::v1::Gap& gap);

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
