#include "fanout.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broadcaster_metrics.h"
#include "gmock/gmock.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "outcome_recorder.h"
#include "prometheus/registry.h"
#include "shared_event.h"
#include "subscriber_queue.h"

namespace parley::broadcaster {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using unit_test::OutcomeRecorder;

using FromSequence = absl::flat_hash_map<std::string, uint64_t>;

pipeline::Item MakeCommitted(const std::string& room, uint64_t sequence) {
  pipeline::Item item;
  std::string id = absl::StrCat(room, "-", sequence);
  item.mutable_metadata()->set_message_id(id);
  v1::ChatMessage* message = item.mutable_committed();
  message->set_room(room);
  message->set_sequence(sequence);
  message->set_sender("alice");
  message->set_text(absl::StrCat("text ", sequence));
  message->set_message_id(id);
  message->mutable_commit_time()->set_seconds(1'700'000'000 + static_cast<int64_t>(sequence));
  return item;
}

// Returns every queued event as "room#sequence" or "gap room
// requested..first_available".
std::vector<std::string> PopAll(SubscriberQueue& queue) {
  std::vector<std::string> events;
  while (EventPtr event = queue.Pop().event) {
    if (event->has_gap()) {
      events.push_back(absl::StrCat("gap ", event->gap().room(), " ",
                                    event->gap().requested_sequence(), "..",
                                    event->gap().first_available_sequence()));
      continue;
    }
    if (event->has_presence()) {
      const v1::Presence& presence = event->presence();
      events.push_back(absl::StrCat(
          presence.sender(), presence.change() == v1::Presence::CHANGE_JOINED ? " joined " : " left ",
          presence.room()));
      continue;
    }
    events.push_back(absl::StrCat(event->message().room(), "#", event->message().sequence()));
    queue.MarkDelivered(*event);
  }
  return events;
}

// Returns the members of `room` as "sender xN".
std::vector<std::string> MemberList(const Fanout& fanout, const std::string& room) {
  std::vector<std::string> members;
  for (const v1::Member& member : fanout.Members(room)) {
    members.push_back(absl::StrCat(member.sender(), " x", member.subscriptions()));
  }
  return members;
}

class FanoutTest : public ::testing::Test {
 protected:
  // Hands one committed message to the fanout and returns its outcome.
  pipeline::Result Deliver(const std::string& room, uint64_t sequence) {
    std::string key = absl::StrCat(room, "#", sequence, "/", ++deliveries_);
    fanout_.Handle(MakeCommitted(room, sequence), absl::InfiniteFuture(), outcomes_.Callback(key));
    std::optional<pipeline::Result> result = outcomes_.Wait(key, absl::ZeroDuration());
    EXPECT_TRUE(result.has_value()) << "Fanout::Handle must answer before it returns";
    return result.value_or(absl::InternalError("no outcome"));
  }

  std::shared_ptr<SubscriberQueue> Subscribe(std::vector<std::string> rooms,
                                             FromSequence from = {}, size_t max_queued = 100,
                                             std::string sender = {}) {
    auto queue = std::make_shared<SubscriberQueue>(++subscriber_ids_, std::move(rooms), from,
                                                   QueueLimits{.max_messages = max_queued},
                                                   std::move(sender));
    fanout_.Subscribe(queue);
    return queue;
  }

  prometheus::Registry registry_;
  BroadcasterMetrics metrics_{registry_};
  Fanout fanout_{3, metrics_};  // history of 3 messages per room
  OutcomeRecorder outcomes_;
  int deliveries_ = 0;
  uint64_t subscriber_ids_ = 0;
};

TEST_F(FanoutTest, DeliversToRoomSubscribers) {
  auto room_a = Subscribe({"a"});
  auto room_b = Subscribe({"b"});

  pipeline::Result commit = Deliver("a", 1);
  ASSERT_TRUE(commit.ok()) << commit.status();
  EXPECT_EQ(commit->room(), "a");
  EXPECT_EQ(commit->sequence(), 1u);
  EXPECT_EQ(commit->commit_time().seconds(), 1'700'000'001);
  ASSERT_TRUE(Deliver("a", 2).ok());

  EXPECT_THAT(PopAll(*room_a), ElementsAre("a#1", "a#2"));
  EXPECT_TRUE(PopAll(*room_b).empty());
  EXPECT_EQ(metrics_.accepted.Value(), 2);
}

TEST_F(FanoutTest, SameSequenceDeliveredOnce) {
  auto queue = Subscribe({"a"});
  ASSERT_TRUE(Deliver("a", 1).ok());
  ASSERT_TRUE(Deliver("a", 2).ok());

  pipeline::Result again = Deliver("a", 2);
  ASSERT_TRUE(again.ok()) << "a repeated commit is acknowledged";
  EXPECT_EQ(again->sequence(), 2u);
  pipeline::Result older = Deliver("a", 1);
  ASSERT_TRUE(older.ok());

  EXPECT_THAT(PopAll(*queue), ElementsAre("a#1", "a#2"));
  EXPECT_EQ(metrics_.duplicates.Value(), 2);
  EXPECT_EQ(metrics_.accepted.Value(), 2);
}

TEST_F(FanoutTest, RejectsMalformedItem) {
  pipeline::Item no_message;
  no_message.mutable_metadata()->set_message_id("m");
  pipeline::Item no_room = MakeCommitted("", 1);
  pipeline::Item no_sequence = MakeCommitted("a", 0);

  int index = 0;
  for (pipeline::Item* item : {&no_message, &no_room, &no_sequence}) {
    std::string key = absl::StrCat("bad", ++index);
    fanout_.Handle(*item, absl::InfiniteFuture(), outcomes_.Callback(key));
    std::optional<pipeline::Result> result = outcomes_.Wait(key, absl::ZeroDuration());
    ASSERT_TRUE(result.has_value()) << key;
    EXPECT_EQ(result->status().code(), absl::StatusCode::kInvalidArgument) << key;
  }
}

TEST_F(FanoutTest, ReplaysHistoryFromSequence) {
  ASSERT_TRUE(Deliver("a", 1).ok());
  ASSERT_TRUE(Deliver("a", 2).ok());
  ASSERT_TRUE(Deliver("a", 3).ok());

  auto queue = Subscribe({"a"}, FromSequence{{"a", 2}});
  ASSERT_TRUE(Deliver("a", 4).ok());
  // Replay and live delivery meet with no gap and no duplicate.
  EXPECT_THAT(PopAll(*queue), ElementsAre("a#2", "a#3", "a#4"));
}

TEST_F(FanoutTest, GapWhenHistoryTooShort) {
  for (uint64_t sequence = 1; sequence <= 5; ++sequence) ASSERT_TRUE(Deliver("a", sequence).ok());

  // The history keeps 3, 4 and 5 only.
  auto queue = Subscribe({"a"}, FromSequence{{"a", 1}});
  EXPECT_THAT(PopAll(*queue), ElementsAre("gap a 1..3", "a#3", "a#4", "a#5"));
}

TEST_F(FanoutTest, FromSequencePerRoom) {
  ASSERT_TRUE(Deliver("a", 1).ok());
  ASSERT_TRUE(Deliver("a", 2).ok());
  ASSERT_TRUE(Deliver("b", 1).ok());
  ASSERT_TRUE(Deliver("b", 2).ok());

  // Room a resumes after 1; room b has no from sequence, so only live events.
  auto queue = Subscribe({"a", "b"}, FromSequence{{"a", 2}});
  ASSERT_TRUE(Deliver("b", 3).ok());
  EXPECT_THAT(PopAll(*queue), ElementsAre("a#2", "b#3"));
}

TEST_F(FanoutTest, SequenceJumpBecomesGap) {
  auto queue = Subscribe({"a"});
  ASSERT_TRUE(Deliver("a", 1).ok());
  ASSERT_TRUE(Deliver("a", 2).ok());
  ASSERT_TRUE(Deliver("a", 5).ok()) << "a jump is accepted, so the room can go on";
  EXPECT_THAT(PopAll(*queue), ElementsAre("a#1", "a#2", "gap a 3..5", "a#5"));
}

TEST_F(FanoutTest, SlowSubscriberClosed) {
  auto slow = Subscribe({"a"}, {}, /*max_queued=*/2);
  auto fast = Subscribe({"a"});
  for (uint64_t sequence = 1; sequence <= 3; ++sequence) {
    EXPECT_TRUE(Deliver("a", sequence).ok()) << "a slow subscriber never fails a delivery";
  }

  EXPECT_TRUE(slow->closed());
  SubscriberQueue::Next end = slow->Pop();
  ASSERT_TRUE(end.end.has_value());
  EXPECT_EQ(end.end->code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(end.end->message()), HasSubstr("last delivered: a#0"));
  EXPECT_THAT(PopAll(*fast), ElementsAre("a#1", "a#2", "a#3"));
}

TEST_F(FanoutTest, CloseAllDeliversQueuedFirst) {
  auto queue = Subscribe({"a"});
  int wakes = 0;
  queue->SetWake([&wakes] { ++wakes; });
  ASSERT_TRUE(Deliver("a", 1).ok());
  EXPECT_EQ(wakes, 1);

  fanout_.CloseAll(absl::UnavailableError("broadcaster is shutting down"));
  EXPECT_EQ(wakes, 2);
  EXPECT_THAT(PopAll(*queue), ElementsAre("a#1"));
  SubscriberQueue::Next end = queue->Pop();
  ASSERT_TRUE(end.end.has_value());
  EXPECT_EQ(end.end->code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(end.end->message()), HasSubstr("last delivered: a#1"));
  queue->Detach();
}

TEST_F(FanoutTest, UnsubscribeStopsDelivery) {
  auto queue = Subscribe({"a"});
  EXPECT_EQ(fanout_.subscribers(), 1u);
  fanout_.Unsubscribe(queue);
  EXPECT_EQ(fanout_.subscribers(), 0u);
  EXPECT_EQ(fanout_.WaitUnsubscribed(absl::InfinitePast()), 0u);

  ASSERT_TRUE(Deliver("a", 1).ok());
  EXPECT_TRUE(PopAll(*queue).empty());
}

TEST_F(FanoutTest, WaitUnsubscribedTimesOut) {
  auto queue = Subscribe({"a"});
  EXPECT_EQ(fanout_.WaitUnsubscribed(absl::Now() + absl::Milliseconds(10)), 1u);
  fanout_.Unsubscribe(queue);
}

TEST_F(FanoutTest, SnapshotListsRooms) {
  for (uint64_t sequence = 1; sequence <= 4; ++sequence) ASSERT_TRUE(Deliver("a", sequence).ok());
  ASSERT_TRUE(Deliver("b", 7).ok());

  std::vector<internal::v1::RoomState> states = fanout_.Snapshot();
  ASSERT_EQ(states.size(), 2u);
  std::sort(states.begin(), states.end(),
            [](const auto& left, const auto& right) { return left.room() < right.room(); });

  EXPECT_EQ(states[0].room(), "a");
  EXPECT_EQ(states[0].last_sequence(), 4u);
  ASSERT_EQ(states[0].recent_size(), 3);
  EXPECT_EQ(states[0].recent(0).sequence(), 2u);
  EXPECT_EQ(states[0].recent(0).message_id(), "a-2");
  EXPECT_EQ(states[0].recent(2).sequence(), 4u);
  EXPECT_EQ(states[0].recent(2).text(), "text 4");
  EXPECT_EQ(states[0].recent(2).commit_time().seconds(), 1'700'000'004);

  EXPECT_EQ(states[1].room(), "b");
  EXPECT_EQ(states[1].last_sequence(), 7u);
  ASSERT_EQ(states[1].recent_size(), 1);
  EXPECT_EQ(states[1].recent(0).message_id(), "b-7");
}

TEST_F(FanoutTest, HistoryPageOldestFirst) {
  for (uint64_t sequence = 1; sequence <= 5; ++sequence) ASSERT_TRUE(Deliver("a", sequence).ok());

  // The history keeps 3, 4 and 5 only.
  Fanout::HistoryPage newest = fanout_.History("a", 0, 2);
  ASSERT_EQ(newest.messages.size(), 2u);
  EXPECT_EQ(newest.messages[0]->message().sequence(), 4u);
  EXPECT_EQ(newest.messages[1]->message().sequence(), 5u);
  EXPECT_EQ(newest.messages[1]->message().text(), "text 5");
  EXPECT_EQ(newest.first_available_sequence, 3u);

  Fanout::HistoryPage older = fanout_.History("a", 4, 10);
  ASSERT_EQ(older.messages.size(), 1u);
  EXPECT_EQ(older.messages[0]->message().sequence(), 3u);

  Fanout::HistoryPage unknown = fanout_.History("nobody-here", 0, 10);
  EXPECT_TRUE(unknown.messages.empty());
  EXPECT_EQ(unknown.first_available_sequence, 0u);
}

TEST_F(FanoutTest, PresenceForOthersOnly) {
  auto reader = Subscribe({"a"});
  auto bob = Subscribe({"a"}, {}, 100, "bob");
  EXPECT_THAT(PopAll(*reader), ElementsAre("bob joined a"));
  EXPECT_TRUE(PopAll(*bob).empty()) << "a subscriber gets no event for its own join";

  auto alice = Subscribe({"a", "b"}, {}, 100, "alice");
  EXPECT_THAT(PopAll(*reader), ElementsAre("alice joined a"));
  EXPECT_THAT(PopAll(*bob), ElementsAre("alice joined a"));
  EXPECT_TRUE(PopAll(*alice).empty());

  fanout_.Unsubscribe(alice);
  EXPECT_THAT(PopAll(*reader), ElementsAre("alice left a"));
  EXPECT_THAT(PopAll(*bob), ElementsAre("alice left a"));
  fanout_.Unsubscribe(bob);
  fanout_.Unsubscribe(reader);
}

TEST_F(FanoutTest, PresenceOncePerSender) {
  auto reader = Subscribe({"a"});
  auto first = Subscribe({"a"}, {}, 100, "alice");
  auto second = Subscribe({"a"}, {}, 100, "alice");
  EXPECT_THAT(PopAll(*reader), ElementsAre("alice joined a"));
  EXPECT_THAT(MemberList(fanout_, "a"), ElementsAre("alice x2"));

  fanout_.Unsubscribe(first);
  EXPECT_TRUE(PopAll(*reader).empty()) << "alice still has a subscription";
  EXPECT_THAT(MemberList(fanout_, "a"), ElementsAre("alice x1"));

  fanout_.Unsubscribe(second);
  EXPECT_THAT(PopAll(*reader), ElementsAre("alice left a"));
  EXPECT_TRUE(MemberList(fanout_, "a").empty());
  fanout_.Unsubscribe(reader);
}

TEST_F(FanoutTest, PresenceOrderedWithMessages) {
  auto reader = Subscribe({"a"});
  ASSERT_TRUE(Deliver("a", 1).ok());
  auto alice = Subscribe({"a"}, FromSequence{{"a", 1}}, 100, "alice");
  ASSERT_TRUE(Deliver("a", 2).ok());
  fanout_.Unsubscribe(alice);
  ASSERT_TRUE(Deliver("a", 3).ok());

  EXPECT_THAT(PopAll(*reader), ElementsAre("a#1", "alice joined a", "a#2", "alice left a", "a#3"));
  EXPECT_THAT(PopAll(*alice), ElementsAre("a#1", "a#2")) << "presence is not in history";
  fanout_.Unsubscribe(reader);
}

TEST_F(FanoutTest, MembersSortedWithSince) {
  absl::Time before = absl::Now();
  auto carol = Subscribe({"a"}, {}, 100, "carol");
  auto alice = Subscribe({"a"}, {}, 100, "alice");
  auto alice_again = Subscribe({"a"}, {}, 100, "alice");
  auto anonymous = Subscribe({"a"});

  std::vector<v1::Member> members = fanout_.Members("a");
  ASSERT_EQ(members.size(), 2u) << "anonymous readers are not members";
  EXPECT_EQ(members[0].sender(), "alice");
  EXPECT_EQ(members[0].subscriptions(), 2u);
  EXPECT_EQ(absl::FromUnixSeconds(members[0].since().seconds()) +
                absl::Nanoseconds(members[0].since().nanos()),
            alice->started())
      << "since is the earliest open subscription";
  EXPECT_GE(alice->started(), before);
  EXPECT_EQ(members[1].sender(), "carol");
  EXPECT_EQ(members[1].subscriptions(), 1u);
  EXPECT_TRUE(fanout_.Members("b").empty());

  for (const auto& queue : {carol, alice, alice_again, anonymous}) fanout_.Unsubscribe(queue);
  EXPECT_TRUE(fanout_.Members("a").empty());
}

// Returns the start address of each slice of a copy of `buffer`, as gRPC
// makes one for each write.
std::vector<const uint8_t*> SliceData(const grpc::ByteBuffer& buffer) {
  grpc::ByteBuffer copy(buffer);
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(copy.Dump(&slices).ok());
  std::vector<const uint8_t*> starts;
  for (const grpc::Slice& slice : slices) starts.push_back(slice.begin());
  return starts;
}

TEST_F(FanoutTest, SerializesEachEventOnce) {
  std::vector<std::shared_ptr<SubscriberQueue>> queues;
  for (int i = 0; i < 5; ++i) queues.push_back(Subscribe({"a"}));
  ASSERT_TRUE(Deliver("a", 1).ok());
  ASSERT_TRUE(Deliver("a", 2).ok());
  EXPECT_EQ(metrics_.events_serialized.Value(), 2) << "one serialization per event, not per queue";

  std::vector<EventPtr> firsts;
  for (const auto& queue : queues) {
    EventPtr event = queue->Pop().event;
    ASSERT_NE(event, nullptr);
    firsts.push_back(event);
  }
  const grpc::ByteBuffer& bytes = firsts[0]->bytes();
  ASSERT_GT(bytes.Length(), 0u);
  EXPECT_EQ(firsts[0]->size(), firsts[0]->event().ByteSizeLong());
  std::vector<const uint8_t*> shared = SliceData(bytes);
  for (const EventPtr& event : firsts) {
    EXPECT_EQ(SliceData(event->bytes()), shared) << "every write shares the serialized bytes";
  }

  v1::Event parsed;
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(grpc::ByteBuffer(bytes).Dump(&slices).ok());
  std::string wire;
  for (const grpc::Slice& slice : slices) wire.append(slice.begin(), slice.end());
  ASSERT_TRUE(parsed.ParseFromString(wire));
  EXPECT_EQ(parsed.message().sequence(), 1u);
  EXPECT_EQ(parsed.message().text(), "text 1");
}

}  // namespace
}  // namespace parley::broadcaster
