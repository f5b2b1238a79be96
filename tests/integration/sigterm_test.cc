// SIGTERM to each service in turn while clients send: the service drains
// and exits 0, and no acknowledged message is lost or duplicated.

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "chat_client.h"
#include "delivery_check.h"
#include "gtest/gtest.h"
#include "service_stack.h"
#include "traffic.h"

namespace parley::testing {
namespace {

constexpr absl::Duration kDrainTimeout = absl::Seconds(10);

class SigtermUnderTraffic : public ::testing::TestWithParam<std::string> {};

TEST_P(SigtermUnderTraffic, ExitsZeroAndLosesNothing) {
  const std::string victim = GetParam();
  ServiceStack stack({}, kDrainTimeout);
  stack.StartAll();

  std::vector<std::string> rooms = {"red", "green"};
  RecordingSubscriber red(stack.broadcaster_address(), {"red"});
  RecordingSubscriber both(stack.broadcaster_address(), {"red", "green"});
  ASSERT_TRUE(red.WaitSubscribed(absl::Seconds(10)));
  ASSERT_TRUE(both.WaitSubscribed(absl::Seconds(10)));

  Traffic traffic(stack.intake_address(), rooms, /*senders=*/3);
  ASSERT_TRUE(traffic.WaitForMore(150, absl::Seconds(30))) << "no traffic before SIGTERM";

  // 1. SIGTERM under traffic: a clean exit within the drain timeout.
  std::optional<int> exit_code = stack.Terminate(victim, kDrainTimeout + absl::Seconds(5));
  ASSERT_TRUE(exit_code.has_value()) << victim << " did not exit:\n" << stack.Logs(victim);
  EXPECT_EQ(*exit_code, 0) << stack.Logs(victim);
  EXPECT_TRUE(absl::StrContains(stack.Logs(victim), "drained in")) << stack.Logs(victim);

  // 2. A new process takes over and traffic goes on.
  stack.Start(victim);
  ASSERT_TRUE(traffic.WaitForMore(150, absl::Seconds(60)))
      << "no traffic after restarting " << victim << ":\n"
      << stack.Logs(victim);
  traffic.Stop();
  ASSERT_TRUE(traffic.failures().empty()) << traffic.failures().front();

  // 3. Every acknowledged message reached every subscriber of its room.
  std::vector<Acknowledged> acknowledged = traffic.acknowledged();
  std::map<std::string, uint64_t> last;
  for (const Acknowledged& ack : acknowledged) last[ack.room] = std::max(last[ack.room], ack.sequence);
  for (const std::string& room : rooms) {
    auto reached = [&](const RecordingSubscriber& subscriber) {
      std::vector<v1::ChatMessage> messages = subscriber.Messages(room);
      return !messages.empty() && messages.back().sequence() >= last[room];
    };
    absl::Time give_up = absl::Now() + absl::Seconds(20);
    while ((!reached(both) || (room == "red" && !reached(red))) && absl::Now() < give_up) {
      both.WaitForMessages(room, both.Messages(room).size() + 1, absl::Milliseconds(200));
    }
    ExpectDelivered(both, room, acknowledged, "subscriber of both rooms");
  }
  ExpectDelivered(red, "red", acknowledged, "subscriber of red");
}

INSTANTIATE_TEST_SUITE_P(EachService, SigtermUnderTraffic,
                         ::testing::Values("intake", "processor", "broadcaster"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace parley::testing
