#include "event_format.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace parley::client {
namespace {

constexpr TextStyle kPlain{.colour = false};
constexpr TextStyle kColour{.colour = true};

google::protobuf::Timestamp At(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(nanos);
  return timestamp;
}

// 2024-05-01T12:00:03Z.
constexpr int64_t kNoonAndThreeSeconds = 1714564803;

parley::v1::Event MessageEvent(parley::v1::ChatMessage::Kind kind, std::string text) {
  parley::v1::Event event;
  parley::v1::ChatMessage& message = *event.mutable_message();
  message.set_room("lobby");
  message.set_sequence(7);
  message.set_sender("carol");
  message.set_text(std::move(text));
  message.set_message_id("carol/note-1");
  *message.mutable_commit_time() = At(kNoonAndThreeSeconds, 123456000);
  message.set_kind(kind);
  return event;
}

parley::v1::Event PresenceEvent(parley::v1::Presence::Change change) {
  parley::v1::Event event;
  parley::v1::Presence& presence = *event.mutable_presence();
  presence.set_room("lobby");
  presence.set_sender("ann");
  presence.set_change(change);
  *presence.mutable_time() = At(kNoonAndThreeSeconds);
  return event;
}

parley::v1::Event GapEvent(uint64_t requested, uint64_t first_available) {
  parley::v1::Event event;
  event.mutable_gap()->set_room("lobby");
  event.mutable_gap()->set_requested_sequence(requested);
  event.mutable_gap()->set_first_available_sequence(first_available);
  return event;
}

std::string Text(const SubscriptionUpdate& update, TextStyle style = kPlain) {
  return FormatUpdate(update, EventFormat::kText, style).value_or("<none>");
}

std::string Json(const SubscriptionUpdate& update) {
  return FormatUpdate(update, EventFormat::kJson).value_or("<none>");
}

TEST(EventText, MessageWithoutColour) {
  EXPECT_EQ(Text(MessageEvent(parley::v1::ChatMessage::KIND_TEXT, "hello")),
            "12:00:03 [lobby #7] carol: hello");
}

TEST(EventText, ActionWithoutColour) {
  EXPECT_EQ(Text(MessageEvent(parley::v1::ChatMessage::KIND_ACTION, "waves")),
            "12:00:03 [lobby #7] * carol waves");
}

TEST(EventText, MessageWithColour) {
  const std::string sender = absl::StrCat("\x1b[", SenderColour("carol"), "mcarol\x1b[0m");
  EXPECT_EQ(Text(MessageEvent(parley::v1::ChatMessage::KIND_TEXT, "hi"), kColour),
            absl::StrCat("\x1b[2m12:00:03\x1b[0m [lobby #7] ", sender, ": hi"));
  EXPECT_EQ(Text(MessageEvent(parley::v1::ChatMessage::KIND_ACTION, "waves"), kColour),
            absl::StrCat("\x1b[2m12:00:03\x1b[0m [lobby #7] * ", sender, " waves"));
}

TEST(EventText, ColourNeverAppliesToOthersText) {
  // Escape sequences in a message are shown, not sent to the terminal, with
  // colour on as well as off.
  const parley::v1::Event event = MessageEvent(parley::v1::ChatMessage::KIND_TEXT, "\x1b[31mred");
  EXPECT_EQ(Text(event), "12:00:03 [lobby #7] carol: \\x1b[31mred");
  EXPECT_NE(Text(event, kColour).find(": \\x1b[31mred"), std::string::npos);
}

TEST(EventText, SenderColourIsStableAndVaries) {
  EXPECT_EQ(SenderColour("alice"), SenderColour("alice"));
  std::set<std::string> colours;
  for (const char* name : {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"}) {
    colours.insert(std::string(SenderColour(name)));
  }
  EXPECT_GE(colours.size(), 3u);
}

TEST(EventText, Presence) {
  EXPECT_EQ(Text(PresenceEvent(parley::v1::Presence::CHANGE_JOINED)),
            "12:00:03 -- ann joined #lobby");
  EXPECT_EQ(Text(PresenceEvent(parley::v1::Presence::CHANGE_LEFT)), "12:00:03 -- ann left #lobby");
  EXPECT_EQ(FormatUpdate(PresenceEvent(parley::v1::Presence::CHANGE_UNSPECIFIED),
                         EventFormat::kText),
            std::nullopt);
}

TEST(EventText, GapSaysHowManyAreGone) {
  EXPECT_EQ(Text(GapEvent(1, 42)),
            "[lobby] gap: 41 messages are gone (sequences 1..41 are no longer in history); "
            "continuing at 42");
  EXPECT_EQ(Text(GapEvent(5, 6)),
            "[lobby] gap: 1 message is gone (sequences 5..5 are no longer in history); "
            "continuing at 6");
  EXPECT_EQ(MissedMessageCount(GapEvent(9, 3).gap()), 0u);
}

TEST(EventText, ConnectionNotices) {
  EXPECT_EQ(Text(ConnectionLost{grpc::Status(grpc::StatusCode::UNAVAILABLE, "going away")}),
            "-- lost the connection to the broadcaster (UNAVAILABLE: going away); reconnecting");
  EXPECT_EQ(Text(Reconnected{.attempts = 1, .resume_from = {{"lobby", 8}}}),
            "-- reconnected to the broadcaster after 1 attempt; resuming lobby at #8");
  EXPECT_EQ(Text(Reconnected{.attempts = 3, .resume_from = {{"dev", 0}, {"lobby", 8}}}),
            "-- reconnected to the broadcaster after 3 attempts; resuming dev with new messages, "
            "lobby at #8");
  EXPECT_EQ(Text(ConnectionLost{grpc::Status(grpc::StatusCode::UNAVAILABLE, "x")}, kColour),
            "\x1b[33m-- lost the connection to the broadcaster (UNAVAILABLE: x); "
            "reconnecting\x1b[0m");
}

// The JSON schema of docs/cli.md: each line is one object whose fields
// have these names, in this order, with these JSON types.
using FieldKinds = std::vector<std::pair<std::string, google::protobuf::Value::KindCase>>;
constexpr auto kString = google::protobuf::Value::kStringValue;
constexpr auto kNumber = google::protobuf::Value::kNumberValue;
constexpr auto kObject = google::protobuf::Value::kStructValue;

void ExpectSchema(const std::string& line, const FieldKinds& fields) {
  SCOPED_TRACE(line);
  ASSERT_EQ(line.find('\n'), std::string::npos);
  google::protobuf::Struct object;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &object).ok());
  EXPECT_EQ(object.fields_size(), static_cast<int>(fields.size()));
  size_t previous = 0;
  for (const auto& [name, kind] : fields) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(object.fields().contains(name));
    EXPECT_EQ(object.fields().at(name).kind_case(), kind);
    const size_t position = line.find("\"" + name + "\":");
    EXPECT_GT(position, previous) << "fields out of order";
    previous = position;
  }
}

TEST(EventJson, MessageSchema) {
  const std::string line = Json(MessageEvent(parley::v1::ChatMessage::KIND_ACTION, "waves"));
  ExpectSchema(line, {{"type", kString}, {"room", kString}, {"sequence", kNumber},
                      {"sender", kString}, {"text", kString}, {"message_id", kString},
                      {"commit_time", kString}, {"kind", kString}});
  EXPECT_EQ(line,
            R"({"type":"message","room":"lobby","sequence":7,"sender":"carol","text":"waves",)"
            R"("message_id":"carol/note-1","commit_time":"2024-05-01T12:00:03.123456000Z",)"
            R"("kind":"action"})");
  EXPECT_NE(Json(MessageEvent(parley::v1::ChatMessage::KIND_TEXT, "hi")).find(R"("kind":"text")"),
            std::string::npos);
}

TEST(EventJson, GapSchema) {
  const std::string line = Json(GapEvent(1, 42));
  ExpectSchema(line, {{"type", kString}, {"room", kString}, {"requested_sequence", kNumber},
                      {"first_available_sequence", kNumber}, {"missed", kNumber}});
  EXPECT_EQ(line,
            R"({"type":"gap","room":"lobby","requested_sequence":1,)"
            R"("first_available_sequence":42,"missed":41})");
}

TEST(EventJson, PresenceSchema) {
  const std::string line = Json(PresenceEvent(parley::v1::Presence::CHANGE_LEFT));
  ExpectSchema(line, {{"type", kString}, {"room", kString}, {"sender", kString},
                      {"change", kString}, {"time", kString}});
  EXPECT_EQ(line,
            R"({"type":"presence","room":"lobby","sender":"ann","change":"left",)"
            R"("time":"2024-05-01T12:00:03.000000000Z"})");
}

TEST(EventJson, ConnectionNoticeSchemas) {
  const std::string lost =
      Json(ConnectionLost{grpc::Status(grpc::StatusCode::UNAVAILABLE, "said \"bye\"")});
  ExpectSchema(lost, {{"type", kString}, {"code", kString}, {"error", kString}});
  EXPECT_EQ(lost, R"({"type":"disconnected","code":"UNAVAILABLE","error":"said \"bye\""})");

  const std::string reconnected =
      Json(Reconnected{.attempts = 2, .resume_from = {{"dev", 0}, {"lobby", 8}}});
  ExpectSchema(reconnected, {{"type", kString}, {"attempts", kNumber}, {"resume_from", kObject}});
  EXPECT_EQ(reconnected,
            R"({"type":"reconnected","attempts":2,"resume_from":{"dev":0,"lobby":8}})");
}

TEST(EventJson, StringsAreEscaped) {
  const std::string line =
      Json(MessageEvent(parley::v1::ChatMessage::KIND_TEXT, "a\"b\\c\nd\x01 \xc3\xa9"));
  google::protobuf::Struct object;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &object).ok()) << line;
  EXPECT_EQ(object.fields().at("text").string_value(), "a\"b\\c\nd\x01 \xc3\xa9");
}

TEST(EventJson, UnknownEventIsSkipped) {
  EXPECT_EQ(FormatUpdate(parley::v1::Event(), EventFormat::kJson), std::nullopt);
  EXPECT_EQ(FormatUpdate(parley::v1::Event(), EventFormat::kText), std::nullopt);
}

}  // namespace
}  // namespace parley::client
