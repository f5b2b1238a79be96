#include "room_queries.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace parley::client {
namespace {

parley::v1::MembersResponse TwoMembers() {
  parley::v1::MembersResponse response;
  parley::v1::Member& alice = *response.add_members();
  alice.set_sender("alice");
  alice.mutable_since()->set_seconds(1714564801);  // 2024-05-01T12:00:01Z
  alice.set_subscriptions(1);
  parley::v1::Member& bob = *response.add_members();
  bob.set_sender("bob\x1b");
  bob.mutable_since()->set_seconds(1714564990);  // 2024-05-01T12:03:10Z
  bob.set_subscriptions(2);
  return response;
}

TEST(FormatMembers, ListsNamesTimesAndStreams) {
  EXPECT_EQ(FormatMembers("lobby", TwoMembers(), TextStyle{}),
            "-- 2 in #lobby: alice (since 12:00:01), bob\\x1b (since 12:03:10, 2 streams)");
}

TEST(FormatMembers, EmptyRoomSaysNobody) {
  EXPECT_EQ(FormatMembers("lobby", parley::v1::MembersResponse(), TextStyle{}),
            "-- 0 in #lobby: nobody");
}

TEST(FormatMembers, ColoursNamesOnTerminal) {
  const std::string line = FormatMembers("lobby", TwoMembers(), TextStyle{.colour = true});
  EXPECT_NE(line.find(absl::StrCat("\x1b[", SenderColour("alice"), "malice\x1b[0m")),
            std::string::npos)
      << line;
}

TEST(FormatQueryError, UnimplementedIsExplained) {
  EXPECT_EQ(FormatQueryError("/who", grpc::Status(grpc::StatusCode::UNIMPLEMENTED, ""), {}),
            "-- /who is not available: this broadcaster does not implement it (UNIMPLEMENTED)");
}

TEST(FormatQueryError, OtherErrorsShowCodeAndMessage) {
  EXPECT_EQ(FormatQueryError("/history",
                             grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "limit: above 1000"),
                             {}),
            "-- /history failed: INVALID_ARGUMENT: limit: above 1000");
}

}  // namespace
}  // namespace parley::client
