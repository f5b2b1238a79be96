#include "room_history.h"

#include <memory>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parley::broadcaster {
namespace {

using ::testing::ElementsAre;

EventPtr MakeMessage(uint64_t sequence) {
  auto event = std::make_shared<v1::Event>();
  event->mutable_message()->set_room("a");
  event->mutable_message()->set_sequence(sequence);
  return event;
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

TEST(RoomHistory, ZeroSizeKeepsOnlyLastSequence) {
  RoomHistory history(0);
  history.Append(MakeMessage(7));
  EXPECT_EQ(history.size(), 0u);
  EXPECT_EQ(history.last_sequence(), 7u);
  EXPECT_TRUE(history.From(1).empty());
}

}  // namespace
}  // namespace parley::broadcaster
