#include "sequencer.h"

#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace parley::processor {
namespace {

internal::v1::Submission MakeSubmission(const std::string& room, const std::string& text) {
  internal::v1::Submission submission;
  submission.set_room(room);
  submission.set_sender("alice");
  submission.set_text(text);
  return submission;
}

const absl::Time kNow = absl::FromUnixMicros(1'700'000'000'123'456);

TEST(Sequencer, NumbersEachRoomFromOne) {
  Sequencer sequencer;
  EXPECT_EQ(sequencer.Commit(MakeSubmission("a", "1"), "id1", kNow).sequence(), 1u);
  EXPECT_EQ(sequencer.Commit(MakeSubmission("a", "2"), "id2", kNow).sequence(), 2u);
  EXPECT_EQ(sequencer.Commit(MakeSubmission("b", "1"), "id3", kNow).sequence(), 1u);
  EXPECT_EQ(sequencer.Commit(MakeSubmission("a", "3"), "id4", kNow).sequence(), 3u);
  EXPECT_EQ(sequencer.Last("a"), 3u);
  EXPECT_EQ(sequencer.Last("b"), 1u);
  EXPECT_EQ(sequencer.Last("c"), 0u);
  EXPECT_EQ(sequencer.rooms(), 2u);
}

TEST(Sequencer, CommitCopiesSubmission) {
  Sequencer sequencer;
  v1::ChatMessage message = sequencer.Commit(MakeSubmission("lobby", "hi"), "alice/7", kNow);
  EXPECT_EQ(message.room(), "lobby");
  EXPECT_EQ(message.sender(), "alice");
  EXPECT_EQ(message.text(), "hi");
  EXPECT_EQ(message.message_id(), "alice/7");
  EXPECT_EQ(message.commit_time().seconds(), 1'700'000'000);
  EXPECT_EQ(message.commit_time().nanos(), 123'456'000);
}

TEST(Sequencer, SeedContinuesNumbering) {
  Sequencer sequencer;
  sequencer.Seed("a", 41);
  EXPECT_EQ(sequencer.Last("a"), 41u);
  EXPECT_EQ(sequencer.Commit(MakeSubmission("a", "x"), "id", kNow).sequence(), 42u);
}

TEST(Sequencer, SeedNeverGoesBack) {
  Sequencer sequencer;
  sequencer.Seed("a", 10);
  sequencer.Seed("a", 3);
  EXPECT_EQ(sequencer.Last("a"), 10u);
  sequencer.Seed("a", 12);
  EXPECT_EQ(sequencer.Last("a"), 12u);
}

}  // namespace
}  // namespace parley::processor
