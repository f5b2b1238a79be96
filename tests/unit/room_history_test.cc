#include "room_history.h"

#include <memory>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parley::broadcaster {
namespace {

using ::testing::ElementsAre;

EventPtr MakeMessage(uint64_t sequence) {
  v1::Event event;
  event.mutable_message()->set_room("a");
  event.mutable_message()->set_sequence(sequence);
  return MakeSharedEvent(std::move(event));
}

std::vector<uint64_t> Sequences(const std::vector<EventPtr>& events) {
  std::vector<uint64_t> sequences;
  for (const EventPtr& event : events) sequences.push_back(event->message().sequence());
  return sequences;
}

TEST(RoomHistory, KeepsNewestMessages) {
  RoomHistory history(3);
  EXPECT_EQ(history.last_sequence(), 0u);
  for (uint64_t sequence = 1; sequence <= 5; ++sequence) history.Append(MakeMessage(sequence));

  EXPECT_EQ(history.size(), 3u);
  EXPECT_EQ(history.last_sequence(), 5u);
  EXPECT_THAT(Sequences(history.From(1)), ElementsAre(3, 4, 5));
}

TEST(RoomHistory, FromSelectsSuffix) {
  RoomHistory history(10);
  for (uint64_t sequence = 1; sequence <= 5; ++sequence) history.Append(MakeMessage(sequence));

  EXPECT_THAT(Sequences(history.From(4)), ElementsAre(4, 5));
  EXPECT_THAT(Sequences(history.From(5)), ElementsAre(5));
  EXPECT_TRUE(history.From(6).empty());
  EXPECT_THAT(Sequences(history.From(0)), ElementsAre(1, 2, 3, 4, 5));
}

TEST(RoomHistory, BeforeSelectsNewestBelow) {
  RoomHistory history(10);
  EXPECT_TRUE(history.Before(0, 5).empty());
  EXPECT_EQ(history.first_sequence(), 0u);
  for (uint64_t sequence = 1; sequence <= 6; ++sequence) history.Append(MakeMessage(sequence));

  EXPECT_THAT(Sequences(history.Before(0, 2)), ElementsAre(5, 6));
  EXPECT_THAT(Sequences(history.Before(0, 100)), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_THAT(Sequences(history.Before(4, 2)), ElementsAre(2, 3));
  EXPECT_THAT(Sequences(history.Before(4, 10)), ElementsAre(1, 2, 3));
  EXPECT_TRUE(history.Before(1, 10).empty());
  EXPECT_THAT(Sequences(history.Before(100, 1)), ElementsAre(6));
  EXPECT_TRUE(history.Before(0, 0).empty());
  EXPECT_EQ(history.first_sequence(), 1u);
}

TEST(RoomHistory, BeforeAfterEviction) {
  RoomHistory history(3);
  for (uint64_t sequence = 1; sequence <= 5; ++sequence) history.Append(MakeMessage(sequence));
  EXPECT_EQ(history.first_sequence(), 3u);
  EXPECT_THAT(Sequences(history.Before(5, 10)), ElementsAre(3, 4));
  EXPECT_TRUE(history.Before(3, 10).empty());
}

TEST(RoomHistory, ZeroSizeKeepsOnlyLastSequence) {
  RoomHistory history(0);
  history.Append(MakeMessage(7));
  EXPECT_EQ(history.size(), 0u);
  EXPECT_EQ(history.last_sequence(), 7u);
  EXPECT_TRUE(history.From(1).empty());
}

}  // namespace
}  // namespace parley::broadcaster
