#include "recent_commits.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parley::processor {
namespace {

using ::testing::ElementsAre;

v1::ChatMessage MakeMessage(const std::string& room, uint64_t sequence) {
  v1::ChatMessage message;
  message.set_room(room);
  message.set_sequence(sequence);
  message.set_message_id(absl::StrCat(room, "-", sequence));
  message.set_text("text");
  return message;
}

// Returns "room#sequence" of every replay item, rooms sorted by name since
// the replay orders only within a room.
std::vector<std::string> Replayed(const RecentCommits& recent) {
  std::vector<pipeline::Item> items = recent.ReplayItems();
  std::stable_sort(items.begin(), items.end(), [](const auto& left, const auto& right) {
    return left.committed().room() < right.committed().room();
  });
  std::vector<std::string> replayed;
  for (const pipeline::Item& item : items) {
    EXPECT_EQ(item.metadata().message_id(), item.committed().message_id());
    replayed.push_back(absl::StrCat(item.committed().room(), "#", item.committed().sequence()));
  }
  return replayed;
}

TEST(RecentCommits, ReplaysOldestFirstPerRoom) {
  RecentCommits recent(10);
  recent.Add(MakeMessage("b", 1), /*acknowledged=*/true);
  recent.Add(MakeMessage("a", 1), /*acknowledged=*/true);
  recent.Add(MakeMessage("a", 2), /*acknowledged=*/true);
  recent.Add(MakeMessage("b", 2), /*acknowledged=*/true);
  EXPECT_THAT(Replayed(recent), ElementsAre("a#1", "a#2", "b#1", "b#2"));
}

TEST(RecentCommits, KeepsNewestPerRoom) {
  RecentCommits recent(2);
  for (uint64_t sequence = 1; sequence <= 4; ++sequence) recent.Add(MakeMessage("a", sequence), /*acknowledged=*/true);
  recent.Add(MakeMessage("b", 9), /*acknowledged=*/true);
  EXPECT_THAT(Replayed(recent), ElementsAre("a#3", "a#4", "b#9"));
}

TEST(RecentCommits, IgnoresOlderSequence) {
  RecentCommits recent(10);
  recent.Add(MakeMessage("a", 5), /*acknowledged=*/true);
  recent.Add(MakeMessage("a", 5), /*acknowledged=*/true);
  recent.Add(MakeMessage("a", 3), /*acknowledged=*/true);
  recent.Add(MakeMessage("a", 6), /*acknowledged=*/true);
  EXPECT_THAT(Replayed(recent), ElementsAre("a#5", "a#6"));
}

TEST(RecentCommits, ZeroKeepsNothing) {
  RecentCommits recent(0);
  recent.Add(MakeMessage("a", 1), /*acknowledged=*/true);
  EXPECT_TRUE(recent.ReplayItems().empty());
}

TEST(RecentCommits, KeepsUnacknowledgedBeyondMax) {
  RecentCommits recent(2);
  for (uint64_t sequence = 1; sequence <= 4; ++sequence) {
    recent.Add(MakeMessage("a", sequence), /*acknowledged=*/false);
  }
  EXPECT_THAT(Replayed(recent), ElementsAre("a#1", "a#2", "a#3", "a#4"));

  recent.MarkAcknowledged("a", 1);
  recent.MarkAcknowledged("a", 3);
  EXPECT_THAT(Replayed(recent), ElementsAre("a#2", "a#3", "a#4"));

  recent.MarkAcknowledged("a", 2);
  EXPECT_THAT(Replayed(recent), ElementsAre("a#3", "a#4"));
}

TEST(RecentCommits, ZeroStillKeepsUnacknowledged) {
  RecentCommits recent(0);
  recent.Add(MakeMessage("a", 1), /*acknowledged=*/false);
  EXPECT_THAT(Replayed(recent), ElementsAre("a#1"));
  recent.MarkAcknowledged("a", 1);
  EXPECT_TRUE(recent.ReplayItems().empty());
}

TEST(RecentCommits, ReplayCarriesWholeMessage) {
  RecentCommits recent(10);
  v1::ChatMessage message = MakeMessage("a", 1);
  message.set_sender("alice");
  message.mutable_commit_time()->set_seconds(1'700'000'000);
  recent.Add(message, /*acknowledged=*/true);

  std::vector<pipeline::Item> items = recent.ReplayItems();
  ASSERT_EQ(items.size(), 1u);
  ASSERT_TRUE(items[0].has_committed());
  EXPECT_EQ(items[0].committed().sender(), "alice");
  EXPECT_EQ(items[0].committed().text(), "text");
  EXPECT_EQ(items[0].committed().commit_time().seconds(), 1'700'000'000);
  EXPECT_FALSE(items[0].metadata().has_budget_micros());
}

TEST(RecentCommits, ReplayKeepsTraceId) {
  RecentCommits recent(10);
  recent.Add(MakeMessage("lobby", 1), /*acknowledged=*/true);
  recent.Add(MakeMessage("lobby", 2), /*acknowledged=*/false, "trace-2");

  std::vector<pipeline::Item> items = recent.ReplayItems();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].metadata().trace_id(), "");
  EXPECT_EQ(items[1].metadata().trace_id(), "trace-2");
}

}  // namespace
}  // namespace parley::processor
