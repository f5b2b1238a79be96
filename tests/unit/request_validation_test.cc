#include "request_validation.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parley::broadcaster {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

v1::HistoryRequest MakeHistoryRequest(const std::string& room, uint32_t limit) {
  v1::HistoryRequest request;
  request.set_room(room);
  request.set_limit(limit);
  return request;
}

TEST(ParseSubscribeRequest, ParsesWireBytes) {
  v1::SubscribeRequest original;
  original.add_rooms("lobby");
  original.set_sender("alice");
  original.set_from_sequence(7);
  std::string wire = original.SerializeAsString();
  grpc::Slice slice(wire);
  grpc::ByteBuffer raw(&slice, 1);

  absl::StatusOr<v1::SubscribeRequest> parsed = ParseSubscribeRequest(raw);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->rooms(0), "lobby");
  EXPECT_EQ(parsed->sender(), "alice");
  EXPECT_EQ(parsed->from_sequence(), 7u);
  EXPECT_EQ(raw.Length(), wire.size()) << "the caller's buffer stays intact";
}

TEST(ParseSubscribeRequest, RejectsGarbage) {
  // Field 1 as a length-delimited value that claims 100 bytes but has 2.
  std::string garbage("\x0a\x64" "ab", 4);
  grpc::Slice slice(garbage);
  grpc::ByteBuffer raw(&slice, 1);

  absl::StatusOr<v1::SubscribeRequest> parsed = ParseSubscribeRequest(raw);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(parsed.status().message()), StartsWith("request:"));
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("SubscribeRequest"));
}

TEST(ValidateSubscribe, NamesRoomsField) {
  v1::SubscribeRequest none;
  EXPECT_THAT(std::string(ValidateSubscribe(none).message()), StartsWith("rooms:"));

  v1::SubscribeRequest bad_room;
  bad_room.add_rooms("no spaces");
  absl::Status status = ValidateSubscribe(bad_room);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("rooms:"));

  v1::SubscribeRequest stray_resume;
  stray_resume.add_rooms("a");
  (*stray_resume.mutable_room_from_sequence())["b"] = 3;
  EXPECT_THAT(std::string(ValidateSubscribe(stray_resume).message()),
              StartsWith("room_from_sequence:"));

  v1::SubscribeRequest good;
  good.add_rooms("a");
  EXPECT_TRUE(ValidateSubscribe(good).ok());
}

TEST(ValidateSubscribe, RejectsRepeatedRoom) {
  v1::SubscribeRequest request;
  request.add_rooms("a");
  request.add_rooms("b");
  request.add_rooms("a");
  absl::Status status = ValidateSubscribe(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "rooms: room 'a' is listed twice");
}

TEST(ValidateSubscribe, ChecksSenderWhenSet) {
  v1::SubscribeRequest request;
  request.add_rooms("a");
  EXPECT_TRUE(ValidateSubscribe(request).ok()) << "an empty sender is an anonymous reader";

  request.set_sender("alice");
  EXPECT_TRUE(ValidateSubscribe(request).ok());

  for (const std::string& sender :
       {std::string("a/b"), std::string(" alice"), std::string(33, 's'), std::string("a\x01")}) {
    request.set_sender(sender);
    absl::Status status = ValidateSubscribe(request);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << sender;
    EXPECT_THAT(std::string(status.message()), StartsWith("sender:")) << sender;
  }
}

TEST(ValidateHistory, ZeroLimitMeansDefault) {
  absl::StatusOr<size_t> limit = ValidateHistory(MakeHistoryRequest("lobby", 0), 1000);
  ASSERT_TRUE(limit.ok()) << limit.status();
  EXPECT_EQ(*limit, kDefaultHistoryLimit);

  // A history smaller than the default caps it instead of failing.
  limit = ValidateHistory(MakeHistoryRequest("lobby", 0), 10);
  ASSERT_TRUE(limit.ok()) << limit.status();
  EXPECT_EQ(*limit, 10u);
}

TEST(ValidateHistory, LimitUpToHistorySize) {
  absl::StatusOr<size_t> limit = ValidateHistory(MakeHistoryRequest("lobby", 1000), 1000);
  ASSERT_TRUE(limit.ok()) << limit.status();
  EXPECT_EQ(*limit, 1000u);

  limit = ValidateHistory(MakeHistoryRequest("lobby", 1001), 1000);
  ASSERT_FALSE(limit.ok());
  EXPECT_EQ(limit.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(limit.status().message());
  EXPECT_THAT(message, StartsWith("limit:"));
  EXPECT_THAT(message, HasSubstr("1001"));
  EXPECT_THAT(message, HasSubstr("maximum of 1000"));
}

TEST(ValidateHistory, RejectsBadRoom) {
  for (const std::string& room : {std::string(), std::string("no spaces"), std::string(65, 'r')}) {
    absl::StatusOr<size_t> limit = ValidateHistory(MakeHistoryRequest(room, 1), 1000);
    ASSERT_FALSE(limit.ok()) << room;
    EXPECT_EQ(limit.status().code(), absl::StatusCode::kInvalidArgument) << room;
    EXPECT_THAT(std::string(limit.status().message()), StartsWith("room:")) << room;
  }
}

TEST(ValidateMembers, RejectsBadRoom) {
  v1::MembersRequest request;
  request.set_room("bad/room");
  absl::Status status = ValidateMembers(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("room:"));

  request.set_room("lobby");
  EXPECT_TRUE(ValidateMembers(request).ok());
}

}  // namespace
}  // namespace parley::broadcaster
