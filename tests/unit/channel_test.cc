#include "parley/base/channel.h"

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "parley/base/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace parley {
namespace {

constexpr absl::Duration kWaitLimit = absl::Seconds(10);

TEST(Channel, ReceivesInSendOrder) {
  Channel<int> channel(8);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(channel.Send(i));

  for (int i = 0; i < 5; ++i) {
    std::optional<int> value = channel.Receive();
    ASSERT_TRUE(value.has_value());
    EXPECT_EQ(*value, i);
  }
  EXPECT_EQ(channel.size(), 0u);
}

TEST(Channel, ZeroCapacityBecomesOne) {
  Channel<int> channel(0);
  EXPECT_EQ(channel.capacity(), 1u);
  int value = 1;
  EXPECT_EQ(channel.TrySend(value), SendResult::kSent);
  value = 2;
  EXPECT_EQ(channel.TrySend(value), SendResult::kFull);
}

TEST(Channel, SendBlocksWhileFull) {
  Channel<int> channel(1);
  ASSERT_TRUE(channel.Send(1));

  parley::Notification started;
  parley::Notification sent;
  std::jthread sender([&] {
    started.Notify();
    EXPECT_TRUE(channel.Send(2));
    sent.Notify();
  });
  // Unblocks the sender if an assertion below ends the test early.
  absl::Cleanup close_channel = [&channel] { channel.Close(); };
  ASSERT_TRUE(started.WaitForNotificationWithTimeout(kWaitLimit));
  // The sender cannot finish before a Receive makes room, however long it
  // is given: the channel still holds only the first value.
  EXPECT_FALSE(sent.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  EXPECT_EQ(channel.size(), 1u);

  std::optional<int> first = channel.Receive();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, 1);
  ASSERT_TRUE(sent.WaitForNotificationWithTimeout(kWaitLimit));
  sender.join();

  std::optional<int> second = channel.ReceiveUntil(absl::Now() + kWaitLimit);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, 2);
}

TEST(Channel, TrySendReportsFull) {
  Channel<std::string> channel(1);
  std::string first = "first";
  ASSERT_EQ(channel.TrySend(first), SendResult::kSent);

  std::string second = "second";
  EXPECT_EQ(channel.TrySend(second), SendResult::kFull);
  EXPECT_EQ(second, "second");
  EXPECT_EQ(channel.size(), 1u);
}

TEST(Channel, TrySendReportsClosed) {
  Channel<std::string> channel(4);
  channel.Close();

  std::string value = "kept";
  EXPECT_EQ(channel.TrySend(value), SendResult::kClosed);
  EXPECT_EQ(value, "kept");
  EXPECT_EQ(channel.size(), 0u);
}

TEST(Channel, SendAfterCloseLeavesValueUnmoved) {
  Channel<std::unique_ptr<int>> channel(4);
  channel.Close();

  auto value = std::make_unique<int>(7);
  EXPECT_FALSE(channel.Send(value));
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, 7);
}

TEST(Channel, CloseWakesBlockedReceiver) {
  Channel<int> channel(1);
  parley::Notification started;
  parley::Notification returned;
  std::optional<int> received = 0;
  std::jthread receiver([&] {
    started.Notify();
    received = channel.Receive();
    returned.Notify();
  });
  absl::Cleanup close_channel = [&channel] { channel.Close(); };
  ASSERT_TRUE(started.WaitForNotificationWithTimeout(kWaitLimit));
  EXPECT_FALSE(returned.HasBeenNotified());

  channel.Close();
  ASSERT_TRUE(returned.WaitForNotificationWithTimeout(kWaitLimit));
  receiver.join();
  EXPECT_FALSE(received.has_value());
}

TEST(Channel, CloseWakesBlockedSender) {
  Channel<int> channel(1);
  ASSERT_TRUE(channel.Send(1));
  parley::Notification started;
  parley::Notification returned;
  bool sent = true;
  std::jthread sender([&] {
    started.Notify();
    sent = channel.Send(2);
    returned.Notify();
  });
  absl::Cleanup close_channel = [&channel] { channel.Close(); };
  ASSERT_TRUE(started.WaitForNotificationWithTimeout(kWaitLimit));

  channel.Close();
  ASSERT_TRUE(returned.WaitForNotificationWithTimeout(kWaitLimit));
  sender.join();
  EXPECT_FALSE(sent);
  EXPECT_EQ(channel.size(), 1u);
}

TEST(Channel, ReceiveDrainsAfterClose) {
  Channel<int> channel(4);
  ASSERT_TRUE(channel.Send(1));
  ASSERT_TRUE(channel.Send(2));
  channel.Close();
  EXPECT_TRUE(channel.closed());

  std::optional<int> first = channel.Receive();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, 1);
  std::optional<int> second = channel.Receive();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, 2);
  EXPECT_FALSE(channel.Receive().has_value());
}

TEST(Channel, CloseIsIdempotent) {
  Channel<int> channel(2);
  channel.Close();
  channel.Close();
  EXPECT_TRUE(channel.closed());
  EXPECT_FALSE(channel.Receive().has_value());
}

TEST(Channel, SendUntilTimesOut) {
  Channel<std::string> channel(1);
  ASSERT_TRUE(channel.Send(std::string("first")));

  std::string value = "second";
  EXPECT_EQ(channel.SendUntil(value, absl::Now() + absl::Milliseconds(20)),
            SendResult::kTimedOut);
  EXPECT_EQ(value, "second");
  EXPECT_EQ(channel.size(), 1u);
}

TEST(Channel, SendUntilPastDeadlineSendsWhenRoom) {
  Channel<int> channel(1);
  int value = 3;
  EXPECT_EQ(channel.SendUntil(value, absl::InfinitePast()), SendResult::kSent);
  EXPECT_EQ(channel.size(), 1u);
}

TEST(Channel, SendUntilReportsClosed) {
  Channel<int> channel(1);
  channel.Close();
  int value = 3;
  EXPECT_EQ(channel.SendUntil(value, absl::Now() + kWaitLimit), SendResult::kClosed);
}

TEST(Channel, ReceiveUntilTimesOutOpen) {
  Channel<int> channel(1);
  EXPECT_FALSE(channel.ReceiveUntil(absl::Now() + absl::Milliseconds(20)).has_value());
  EXPECT_FALSE(channel.closed());
}

TEST(Channel, ManyProducersDeliverEveryValue) {
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 500;
  Channel<int> channel(8);
  std::vector<std::jthread> producers;
  absl::Cleanup close_channel = [&channel] { channel.Close(); };
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&channel, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        EXPECT_TRUE(channel.Send(p * kPerProducer + i));
      }
    });
  }

  std::vector<int> last_seen(kProducers, -1);
  for (int n = 0; n < kProducers * kPerProducer; ++n) {
    std::optional<int> value = channel.ReceiveUntil(absl::Now() + kWaitLimit);
    ASSERT_TRUE(value.has_value()) << "after " << n << " values";
    int producer = *value / kPerProducer;
    int index = *value % kPerProducer;
    // Each producer's values arrive in the order it sent them.
    EXPECT_GT(index, last_seen[producer]);
    last_seen[producer] = index;
  }
  for (std::jthread& producer : producers) producer.join();
  EXPECT_EQ(channel.size(), 0u);
}

}  // namespace
}  // namespace parley
