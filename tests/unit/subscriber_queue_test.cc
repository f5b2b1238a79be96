#include "subscriber_queue.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parley::broadcaster {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using FromSequence = absl::flat_hash_map<std::string, uint64_t>;

QueueLimits Limits(size_t max_messages) { return {.max_messages = max_messages}; }

EventPtr MakeMessage(const std::string& room, uint64_t sequence) {
  v1::Event event;
  event.mutable_message()->set_room(room);
  event.mutable_message()->set_sequence(sequence);
  event.mutable_message()->set_text(absl::StrCat("text ", sequence));
  return MakeSharedEvent(std::move(event));
}

EventPtr MakePresence(const std::string& room, const std::string& sender) {
  v1::Event event;
  event.mutable_presence()->set_room(room);
  event.mutable_presence()->set_sender(sender);
  event.mutable_presence()->set_change(v1::Presence::CHANGE_JOINED);
  return MakeSharedEvent(std::move(event));
}

// Pops every queued event as "room#sequence" for messages and
// "gap room requested..first_available" for gaps, marking messages
// delivered as a transport would.
std::vector<std::string> PopAll(SubscriberQueue& queue) {
  std::vector<std::string> events;
  while (EventPtr event = queue.Pop().event) {
    if (event->has_gap()) {
      events.push_back(absl::StrCat("gap ", event->gap().room(), " ",
                                    event->gap().requested_sequence(), "..",
                                    event->gap().first_available_sequence()));
      continue;
    }
    events.push_back(absl::StrCat(event->message().room(), "#", event->message().sequence()));
    queue.MarkDelivered(*event);
  }
  return events;
}

TEST(SubscriberQueue, PopsInPushOrder) {
  SubscriberQueue queue(1, {"a", "b"}, FromSequence(), Limits(10));
  EXPECT_TRUE(queue.Push(MakeMessage("a", 1))) << "the first event wakes the transport";
  EXPECT_FALSE(queue.Push(MakeMessage("b", 1))) << "a non-empty queue is already awake";
  EXPECT_FALSE(queue.Push(MakeMessage("a", 2)));

  EXPECT_THAT(PopAll(queue), ElementsAre("a#1", "b#1", "a#2"));
  SubscriberQueue::Next next = queue.Pop();
  EXPECT_EQ(next.event, nullptr);
  EXPECT_FALSE(next.end.has_value()) << "an open, empty queue waits";
}

TEST(SubscriberQueue, LiveStartsAtAnySequence) {
  SubscriberQueue queue(1, {"a"}, FromSequence(), Limits(10));
  queue.Push(MakeMessage("a", 41));
  queue.Push(MakeMessage("a", 42));
  EXPECT_THAT(PopAll(queue), ElementsAre("a#41", "a#42"));
}

TEST(SubscriberQueue, SkipsBeforeFromSequence) {
  SubscriberQueue queue(1, {"a"}, FromSequence{{"a", 3}}, Limits(10));
  EXPECT_EQ(queue.FromSequence("a"), 3u);
  EXPECT_EQ(queue.FromSequence("other"), 0u);
  EXPECT_FALSE(queue.Push(MakeMessage("a", 1)));
  EXPECT_FALSE(queue.Push(MakeMessage("a", 2)));
  EXPECT_TRUE(queue.Push(MakeMessage("a", 3)));
  EXPECT_THAT(PopAll(queue), ElementsAre("a#3"));
}

TEST(SubscriberQueue, IgnoresRepeatedSequence) {
  SubscriberQueue queue(1, {"a"}, FromSequence(), Limits(10));
  queue.Push(MakeMessage("a", 1));
  queue.Push(MakeMessage("a", 2));
  queue.Push(MakeMessage("a", 2));
  queue.Push(MakeMessage("a", 1));
  EXPECT_THAT(PopAll(queue), ElementsAre("a#1", "a#2"));
}

TEST(SubscriberQueue, GapBeforeMissingSequences) {
  SubscriberQueue queue(1, {"a", "b"}, FromSequence{{"a", 2}}, Limits(10));
  queue.Push(MakeMessage("a", 5));
  queue.Push(MakeMessage("b", 7));
  queue.Push(MakeMessage("b", 9));
  EXPECT_THAT(PopAll(queue), ElementsAre("gap a 2..5", "a#5", "b#7", "gap b 8..9", "b#9"));
}

TEST(SubscriberQueue, OverflowClosesResourceExhausted) {
  SubscriberQueue queue(1, {"a", "b"}, FromSequence(), Limits(2));
  queue.Push(MakeMessage("a", 1));
  ASSERT_THAT(PopAll(queue), ElementsAre("a#1"));

  queue.Push(MakeMessage("a", 2));
  queue.Push(MakeMessage("a", 3));
  EXPECT_FALSE(queue.closed());
  EXPECT_TRUE(queue.Push(MakeMessage("a", 4))) << "the overflow must wake the transport";
  EXPECT_TRUE(queue.closed());

  // The queued events are dropped, and the subscriber resumes from the end
  // status.
  SubscriberQueue::Next next = queue.Pop();
  EXPECT_EQ(next.event, nullptr);
  ASSERT_TRUE(next.end.has_value());
  EXPECT_EQ(next.end->code(), absl::StatusCode::kResourceExhausted);
  const std::string message(next.end->message());
  EXPECT_THAT(message, HasSubstr("max_queued_messages 2"));
  EXPECT_THAT(message, HasSubstr("last delivered: a#1, b#0"));
  EXPECT_FALSE(queue.Push(MakeMessage("a", 5)));
}

TEST(SubscriberQueue, ReplayedBacklogIsExemptFromLimits) {
  const size_t event_size = MakeMessage("a", 1)->size();
  SubscriberQueue queue(1, {"a"}, FromSequence({{"a", 1}}),
                        QueueLimits{.max_messages = 2, .max_bytes = 2 * event_size});
  // A resume far behind: five replayed messages in a queue of two.
  for (uint64_t sequence = 1; sequence <= 5; ++sequence) {
    queue.PushReplayed(MakeMessage("a", sequence));
  }
  EXPECT_FALSE(queue.closed());

  // Live events behind the backlog still have the whole limit.
  queue.Push(MakeMessage("a", 6));
  queue.Push(MakeMessage("a", 7));
  EXPECT_FALSE(queue.closed());
  EXPECT_TRUE(queue.Push(MakeMessage("a", 8))) << "the third live event overflows";
  ASSERT_TRUE(queue.closed());
  SubscriberQueue::Next next = queue.Pop();
  ASSERT_TRUE(next.end.has_value());
  EXPECT_EQ(next.end->code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(next.end->message()), HasSubstr("2 events of"));
}

TEST(SubscriberQueue, LimitCountsLiveEventsAfterBacklog) {
  SubscriberQueue queue(1, {"a"}, FromSequence({{"a", 1}}), Limits(2));
  for (uint64_t sequence = 1; sequence <= 3; ++sequence) {
    queue.PushReplayed(MakeMessage("a", sequence));
  }
  queue.Push(MakeMessage("a", 4));
  EXPECT_THAT(PopAll(queue), ElementsAre("a#1", "a#2", "a#3", "a#4"));

  queue.Push(MakeMessage("a", 5));
  queue.Push(MakeMessage("a", 6));
  EXPECT_FALSE(queue.closed()) << "after the backlog, the limit counts live events only";
  queue.Push(MakeMessage("a", 7));
  EXPECT_TRUE(queue.closed());
}

TEST(SubscriberQueue, PresenceCountsTowardLimit) {
  SubscriberQueue queue(1, {"a"}, FromSequence(), Limits(2), "bob");
  EXPECT_EQ(queue.sender(), "bob");
  EventPtr presence = MakePresence("a", "alice");

  EXPECT_TRUE(queue.Push(presence));
  EXPECT_FALSE(queue.Push(MakeMessage("a", 7)));
  EXPECT_TRUE(queue.Push(presence)) << "the third event overflows a queue of 2";
  ASSERT_TRUE(queue.closed());
  SubscriberQueue::Next next = queue.Pop();
  ASSERT_TRUE(next.end.has_value());
  EXPECT_EQ(next.end->code(), absl::StatusCode::kResourceExhausted);
}

TEST(SubscriberQueue, PresenceKeepsSequenceState) {
  SubscriberQueue queue(1, {"a"}, FromSequence(), Limits(10));
  EventPtr presence = MakePresence("a", "alice");

  queue.Push(MakeMessage("a", 1));
  queue.Push(presence);
  queue.Push(MakeMessage("a", 2));
  std::vector<std::string> kinds;
  while (EventPtr event = queue.Pop().event) {
    kinds.push_back(event->has_presence() ? "presence" : absl::StrCat("a#", event->message().sequence()));
    queue.MarkDelivered(*event);
  }
  EXPECT_THAT(kinds, ElementsAre("a#1", "presence", "a#2"));
  EXPECT_EQ(queue.DescribeResumePoint(), "a#2");
}

TEST(SubscriberQueue, ByteLimitClosesResourceExhausted) {
  const size_t event_size = MakeMessage("a", 1)->size();
  SubscriberQueue queue(1, {"a"}, FromSequence(),
                        QueueLimits{.max_messages = 100, .max_bytes = 3 * event_size});
  queue.Push(MakeMessage("a", 1));
  ASSERT_THAT(PopAll(queue), ElementsAre("a#1")) << "a popped event no longer counts";

  for (uint64_t sequence = 2; sequence <= 4; ++sequence) queue.Push(MakeMessage("a", sequence));
  EXPECT_FALSE(queue.closed()) << "exactly max_bytes fits";
  EXPECT_TRUE(queue.Push(MakeMessage("a", 5)));
  ASSERT_TRUE(queue.closed());

  SubscriberQueue::Next next = queue.Pop();
  EXPECT_EQ(next.event, nullptr);
  ASSERT_TRUE(next.end.has_value());
  EXPECT_EQ(next.end->code(), absl::StatusCode::kResourceExhausted);
  const std::string message(next.end->message());
  EXPECT_THAT(message, HasSubstr(absl::StrCat("subscribers.max_queued_bytes ", 3 * event_size)));
  EXPECT_THAT(message, HasSubstr(absl::StrCat("3 events of ", 3 * event_size, " bytes queued")));
  EXPECT_THAT(message, HasSubstr("last delivered: a#1"));
}

TEST(SubscriberQueue, LargeEventEntersEmptyQueue) {
  SubscriberQueue queue(1, {"a"}, FromSequence(), QueueLimits{.max_messages = 100, .max_bytes = 4});
  EXPECT_TRUE(queue.Push(MakeMessage("a", 1)));
  EXPECT_FALSE(queue.closed()) << "an event larger than max_bytes still reaches an idle subscriber";
  EXPECT_THAT(PopAll(queue), ElementsAre("a#1"));

  queue.Push(MakeMessage("a", 2));
  queue.Push(MakeMessage("a", 3));
  EXPECT_TRUE(queue.closed());
}

TEST(SubscriberQueue, CloseDeliversQueuedFirst) {
  SubscriberQueue queue(1, {"a"}, FromSequence(), Limits(10));
  queue.Push(MakeMessage("a", 1));
  queue.Push(MakeMessage("a", 2));
  EXPECT_TRUE(queue.Close(absl::UnavailableError("broadcaster is shutting down"), false));
  EXPECT_FALSE(queue.Close(absl::InternalError("second close"), false)) << "the first close wins";
  EXPECT_FALSE(queue.Push(MakeMessage("a", 3)));

  EXPECT_THAT(PopAll(queue), ElementsAre("a#1", "a#2"));
  SubscriberQueue::Next next = queue.Pop();
  ASSERT_TRUE(next.end.has_value());
  EXPECT_EQ(next.end->code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(next.end->message()), HasSubstr("broadcaster is shutting down"));
  EXPECT_THAT(std::string(next.end->message()), HasSubstr("last delivered: a#2"));
}

TEST(SubscriberQueue, CloseCanDiscardQueued) {
  SubscriberQueue queue(1, {"a"}, FromSequence(), Limits(10));
  queue.Push(MakeMessage("a", 1));
  EXPECT_TRUE(queue.Close(absl::CancelledError("client left"), true));

  SubscriberQueue::Next next = queue.Pop();
  EXPECT_EQ(next.event, nullptr);
  ASSERT_TRUE(next.end.has_value());
  EXPECT_EQ(next.end->code(), absl::StatusCode::kCancelled);
}

TEST(SubscriberQueue, ResumePointPerRoom) {
  SubscriberQueue queue(1, {"a", "b", "c"}, FromSequence(), Limits(10));
  queue.Push(MakeMessage("a", 3));
  queue.Push(MakeMessage("c", 8));
  PopAll(queue);
  EXPECT_EQ(queue.DescribeResumePoint(), "a#3, b#0, c#8");
}

TEST(SubscriberQueue, WakeUntilDetached) {
  SubscriberQueue queue(1, {"a"}, FromSequence(), Limits(10));
  int wakes = 0;
  queue.Wake();  // does nothing without a wake function
  queue.SetWake([&wakes] { ++wakes; });
  queue.Wake();
  EXPECT_EQ(wakes, 1);
  queue.Detach();
  queue.Wake();
  EXPECT_EQ(wakes, 1);
}

TEST(SubscriberQueue, GaugesFollowQueuedEvents) {
  prometheus::Gauge events;
  prometheus::Gauge bytes;
  EventPtr first = MakeMessage("a", 1);
  EventPtr second = MakeMessage("a", 2);
  double both_sizes = static_cast<double>(first->size() + second->size());
  {
    SubscriberQueue queue(1, {"a"}, FromSequence(), Limits(10), "", QueueGauges{&events, &bytes});
    queue.Push(first);
    queue.Push(second);
    EXPECT_EQ(events.Value(), 2);
    EXPECT_EQ(bytes.Value(), both_sizes);

    queue.Pop();
    EXPECT_EQ(events.Value(), 1);
    EXPECT_EQ(bytes.Value(), static_cast<double>(second->size()));
  }
  // A queue destroyed with events left takes them off the gauges.
  EXPECT_EQ(events.Value(), 0);
  EXPECT_EQ(bytes.Value(), 0);

  SubscriberQueue closed(2, {"a"}, FromSequence(), Limits(10), "", QueueGauges{&events, &bytes});
  closed.Push(first);
  closed.Close(absl::CancelledError("gone"), /*discard_queued=*/true);
  EXPECT_EQ(events.Value(), 0);
  EXPECT_EQ(bytes.Value(), 0);

  SubscriberQueue overflowing(3, {"a"}, FromSequence(), Limits(1), "",
                              QueueGauges{&events, &bytes});
  overflowing.Push(first);
  overflowing.Push(second);  // over the limit: closes and drops the queue
  EXPECT_EQ(events.Value(), 0);
  EXPECT_EQ(bytes.Value(), 0);
}

}  // namespace
}  // namespace parley::broadcaster
