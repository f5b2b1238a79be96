// The three real binaries on loopback: many senders and subscribers across
// rooms, every message delivered once, in order, with the sequence that
// Send returned.

#include <algorithm>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "parley/base/mutex.h"
#include "chat_client.h"
#include "delivery_check.h"
#include "gtest/gtest.h"
#include "service_stack.h"

namespace parley::testing {
namespace {

constexpr int kSenders = 3;
constexpr int kMessagesPerSender = 334;  // 1,002 in all

TEST(Pipeline, EverySubscriberGetsItsRoomsInOrder) {
  ServiceStack stack;
  stack.StartAll();

  // Five subscribers across two rooms, one of them in both.
  std::vector<std::unique_ptr<RecordingSubscriber>> subscribers;
  std::vector<std::vector<std::string>> rooms_of = {
      {"alpha"}, {"alpha"}, {"beta"}, {"beta"}, {"alpha", "beta"}};
  for (const auto& rooms : rooms_of) {
    subscribers.push_back(std::make_unique<RecordingSubscriber>(stack.broadcaster_address(), rooms));
  }
  for (auto& subscriber : subscribers) ASSERT_TRUE(subscriber->WaitSubscribed(absl::Seconds(10)));

  parley::Mutex mu;
  std::vector<Acknowledged> acknowledged;
  std::vector<std::string> failures;
  std::vector<std::thread> senders;
  for (int sender = 0; sender < kSenders; ++sender) {
    senders.emplace_back([&, sender] {
      IntakeClient client(stack.intake_address());
      for (int i = 0; i < kMessagesPerSender; ++i) {
        std::string room = (i + sender) % 2 == 0 ? "alpha" : "beta";
        std::string id = absl::StrCat(i);
        auto reply = client.Send(room, absl::StrCat("sender", sender), absl::StrCat("hello ", i),
                                 id, absl::Seconds(10));
        parley::MutexLock lock(&mu);
        if (!reply.ok()) {
          failures.push_back(reply.status().ToString());
          continue;
        }
        acknowledged.push_back({reply->room(), reply->sequence(), reply->message_id()});
      }
    });
  }
  for (std::thread& sender : senders) sender.join();
  ASSERT_TRUE(failures.empty()) << failures.front();
  ASSERT_EQ(acknowledged.size(), static_cast<size_t>(kSenders * kMessagesPerSender));

  // Sequences per room are exactly 1..N.
  std::map<std::string, std::set<uint64_t>> sequences;
  for (const Acknowledged& ack : acknowledged) {
    EXPECT_TRUE(sequences[ack.room].insert(ack.sequence).second)
        << ack.room << "#" << ack.sequence << " acknowledged twice";
  }
  for (auto& [room, set] : sequences) {
    EXPECT_EQ(*set.begin(), 1u) << room;
    EXPECT_EQ(*set.rbegin(), set.size()) << room << " has a gap";
  }

  for (size_t i = 0; i < subscribers.size(); ++i) {
    for (const std::string& room : rooms_of[i]) {
      ASSERT_TRUE(subscribers[i]->WaitForMessages(room, sequences[room].size(), absl::Seconds(20)))
          << "subscriber " << i << " in " << room;
      ExpectDelivered(*subscribers[i], room, acknowledged, absl::StrCat("subscriber ", i));
      EXPECT_EQ(subscribers[i]->Messages(room).size(), sequences[room].size());
    }
    for (std::string room : {"alpha", "beta"}) {
      if (std::find(rooms_of[i].begin(), rooms_of[i].end(), room) == rooms_of[i].end()) {
        EXPECT_TRUE(subscribers[i]->Messages(room).empty()) << "subscriber " << i << " got " << room;
      }
    }
    EXPECT_TRUE(subscribers[i]->Gaps().empty());
  }
}

TEST(Pipeline, RetryWithSameIdReturnsOriginalSequence) {
  ServiceStack stack;
  stack.StartAll();
  IntakeClient client(stack.intake_address());

  auto first = client.Send("lobby", "ann", "hi", "retry-1", absl::Seconds(10));
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = client.Send("lobby", "ann", "hi", "retry-1", absl::Seconds(10));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->sequence(), first->sequence());
  EXPECT_EQ(second->message_id(), first->message_id());

  // The same id from another sender is another message.
  auto other = client.Send("lobby", "bob", "hi", "retry-1", absl::Seconds(10));
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->sequence(), first->sequence() + 1);
}

TEST(Pipeline, InvalidSendNamesFieldAndKeepsServing) {
  ServiceStack stack;
  stack.StartAll();
  IntakeClient client(stack.intake_address());

  auto bad_room = client.Send("no spaces", "ann", "hi", "", absl::Seconds(5));
  ASSERT_EQ(bad_room.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(bad_room.status().message(), "room:")) << bad_room.status();

  auto long_text = client.Send("lobby", "ann", std::string(5000, 'x'), "", absl::Seconds(5));
  ASSERT_EQ(long_text.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(long_text.status().message().find("4096"), absl::string_view::npos)
      << long_text.status();

  auto empty_text = client.Send("lobby", "ann", "", "", absl::Seconds(5));
  EXPECT_EQ(empty_text.status().code(), absl::StatusCode::kInvalidArgument);

  auto good = client.Send("lobby", "ann", "still here", "", absl::Seconds(5));
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->sequence(), 1u);
}

}  // namespace
}  // namespace parley::testing
