// Broadcaster's History call through the real binaries on loopback.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "chat_client.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "parley/v1/chat.grpc.pb.h"
#include "service_stack.h"

namespace parley::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr absl::Duration kCallTimeout = absl::Seconds(10);

std::unique_ptr<v1::Broadcaster::Stub> BroadcasterStub(const std::string& address) {
  return v1::Broadcaster::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

grpc::Status CallHistory(v1::Broadcaster::Stub& stub, const std::string& room,
                         uint64_t before_sequence, uint32_t limit,
                         v1::HistoryResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kCallTimeout));
  v1::HistoryRequest request;
  request.set_room(room);
  request.set_before_sequence(before_sequence);
  request.set_limit(limit);
  return stub.History(&context, request, response);
}

std::vector<uint64_t> Sequences(const v1::HistoryResponse& response) {
  std::vector<uint64_t> sequences;
  for (const v1::ChatMessage& message : response.messages()) sequences.push_back(message.sequence());
  return sequences;
}

TEST(BroadcasterApi, HistoryPagesOldestFirst) {
  ServiceStack stack(std::map<std::string, std::string>{
      {"broadcaster", "history:\n  max_messages_per_room: 4"}});
  stack.StartAll();
  IntakeClient client(stack.intake_address());
  for (int i = 1; i <= 6; ++i) {
    auto reply = client.Send("lobby", "ann", absl::StrCat("hello ", i), absl::StrCat("h", i),
                             kCallTimeout);
    ASSERT_TRUE(reply.ok()) << reply.status();
  }
  auto stub = BroadcasterStub(stack.broadcaster_address());

  // History contains 3 to 6, and the default limit returns all of them.
  v1::HistoryResponse newest;
  grpc::Status status = CallHistory(*stub, "lobby", 0, 0, &newest);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(Sequences(newest), ElementsAre(3, 4, 5, 6));
  EXPECT_EQ(newest.first_available_sequence(), 3u);
  EXPECT_EQ(newest.messages(3).text(), "hello 6");
  EXPECT_EQ(newest.messages(3).sender(), "ann");

  v1::HistoryResponse page;
  status = CallHistory(*stub, "lobby", 6, 2, &page);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(Sequences(page), ElementsAre(4, 5));

  v1::HistoryResponse empty;
  status = CallHistory(*stub, "quiet", 0, 0, &empty);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(empty.messages_size(), 0);
  EXPECT_EQ(empty.first_available_sequence(), 0u);
}

TEST(BroadcasterApi, HistoryRejectsBadInput) {
  ServiceStack stack(std::map<std::string, std::string>{
      {"broadcaster", "history:\n  max_messages_per_room: 4"}});
  stack.Start("broadcaster");
  auto stub = BroadcasterStub(stack.broadcaster_address());

  v1::HistoryResponse response;
  grpc::Status too_many = CallHistory(*stub, "lobby", 0, 5, &response);
  EXPECT_EQ(too_many.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(too_many.error_message(), StartsWith("limit:"));
  EXPECT_THAT(too_many.error_message(), HasSubstr("maximum of 4"));

  grpc::Status bad_room = CallHistory(*stub, "no spaces", 0, 1, &response);
  EXPECT_EQ(bad_room.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad_room.error_message(), StartsWith("room:"));
}

}  // namespace
}  // namespace parley::testing
