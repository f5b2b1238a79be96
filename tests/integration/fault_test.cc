// Faults under steady traffic from several senders that retry by id: kill
// -9 and restart, and every stop order. Whatever happens, a message that
// was acknowledged OK reaches every subscriber of its room exactly once and
// in order, and a retry of a committed message gets its original sequence.

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "chat_client.h"
#include "delivery_check.h"
#include "gtest/gtest.h"
#include "service_stack.h"
#include "traffic.h"

namespace parley::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);
const std::vector<std::string> kRooms = {"north", "south"};

// Waits until `subscriber` has reached the last acknowledged sequence of
// each of its rooms, then checks its deliveries.
void ExpectAllDelivered(const RecordingSubscriber& subscriber,
                        const std::vector<std::string>& rooms,
                        const std::vector<Acknowledged>& acknowledged, const std::string& who) {
  std::map<std::string, uint64_t> last;
  for (const Acknowledged& ack : acknowledged) {
    last[ack.room] = std::max(last[ack.room], ack.sequence);
  }
  for (const std::string& room : rooms) {
    absl::Time give_up = absl::Now() + kWait;
    while (absl::Now() < give_up) {
      std::vector<v1::ChatMessage> messages = subscriber.Messages(room);
      if (!messages.empty() && messages.back().sequence() >= last[room]) break;
      const_cast<RecordingSubscriber&>(subscriber).WaitForMessages(room, messages.size() + 1,
                                                                   absl::Milliseconds(200));
    }
    ExpectDelivered(subscriber, room, acknowledged, who);
  }
}

TEST(Faults, KillAndRestartEachServiceUnderTraffic) {
  ServiceStack stack({}, absl::Seconds(5));
  stack.StartAll();
  RecordingSubscriber north(stack.broadcaster_address(), {"north"});
  RecordingSubscriber both(stack.broadcaster_address(), kRooms);
  ASSERT_TRUE(north.WaitSubscribed(kWait));
  ASSERT_TRUE(both.WaitSubscribed(kWait));
  Traffic traffic(stack.intake_address(), kRooms, /*senders=*/3);
  ASSERT_TRUE(traffic.WaitForMore(100, kWait));

  // 1. kill -9 processor: intake resends what has no outcome, the new
  // processor recovers numbering and ids from broadcaster.
  stack.Kill("processor");
  stack.Start("processor");
  ASSERT_TRUE(traffic.WaitForMore(100, kWait)) << stack.Logs("processor");

  // 2. kill -9 broadcaster: processor replays its recent commits to the new
  // one, and subscribers resume where they were.
  stack.Kill("broadcaster");
  stack.Start("broadcaster");
  ASSERT_TRUE(traffic.WaitForMore(100, kWait)) << stack.Logs("broadcaster");

  // 3. SIGTERM intake and start a new one; senders retry by id meanwhile.
  ASSERT_EQ(stack.Terminate("intake", kWait), 0) << stack.Logs("intake");
  stack.Start("intake");
  ASSERT_TRUE(traffic.WaitForMore(100, kWait)) << stack.Logs("intake");

  traffic.Stop();
  ASSERT_TRUE(traffic.failures().empty()) << traffic.failures().front();
  std::vector<Acknowledged> acknowledged = traffic.acknowledged();
  ExpectAllDelivered(north, {"north"}, acknowledged, "subscriber of north");
  ExpectAllDelivered(both, kRooms, acknowledged, "subscriber of both rooms");
}

class StopOrder : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(StopOrder, EachExitsZeroAndNothingAcknowledgedIsLost) {
  constexpr absl::Duration kDrain = absl::Seconds(3);
  ServiceStack stack({}, kDrain);
  stack.StartAll();
  RecordingSubscriber both(stack.broadcaster_address(), kRooms);
  ASSERT_TRUE(both.WaitSubscribed(kWait));
  Traffic traffic(stack.intake_address(), kRooms, /*senders=*/3, /*retry_for=*/absl::Seconds(2));
  ASSERT_TRUE(traffic.WaitForMore(100, kWait));

  // Every service exits 0 within its drain timeout plus the shutdown grace
  // (2 s) and the link close that follows the drain (2 s).
  for (const std::string& name : GetParam()) {
    std::optional<int> code = stack.Terminate(name, kDrain + absl::Seconds(6));
    ASSERT_TRUE(code.has_value()) << name << " did not exit:\n" << stack.Logs(name);
    EXPECT_EQ(*code, 0) << stack.Logs(name);
  }
  traffic.Stop();
  ExpectAllDelivered(both, kRooms, traffic.acknowledged(), "subscriber of both rooms");
}

std::vector<std::vector<std::string>> AllStopOrders() {
  std::vector<std::string> order = {"broadcaster", "intake", "processor"};
  std::vector<std::vector<std::string>> orders;
  do {
    orders.push_back(order);
  } while (std::next_permutation(order.begin(), order.end()));
  return orders;
}

INSTANTIATE_TEST_SUITE_P(EveryOrder, StopOrder, ::testing::ValuesIn(AllStopOrders()),
                         [](const auto& info) { return absl::StrJoin(info.param, "_then_"); });

}  // namespace
}  // namespace parley::testing
