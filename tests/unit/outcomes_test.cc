#include "parley/pipeline/outcomes.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace parley::pipeline {
namespace {

TEST(Outcomes, CommitRoundTrip) {
  Commit commit;
  commit.set_room("lobby");
  commit.set_sequence(12);
  commit.mutable_commit_time()->set_seconds(1'700'000'000);

  Outcome outcome = ToOutcome("alice/1", commit);
  EXPECT_EQ(outcome.message_id(), "alice/1");
  ASSERT_TRUE(outcome.has_commit());

  Result back = FromOutcome(outcome);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->room(), "lobby");
  EXPECT_EQ(back->sequence(), 12u);
  EXPECT_EQ(back->commit_time().seconds(), 1'700'000'000);
}

TEST(Outcomes, ErrorRoundTrip) {
  Outcome outcome = ToOutcome("bob/2", absl::DeadlineExceededError("too late"));
  EXPECT_EQ(outcome.message_id(), "bob/2");
  ASSERT_TRUE(outcome.has_error());
  EXPECT_EQ(outcome.error().code(), static_cast<int>(absl::StatusCode::kDeadlineExceeded));

  Result back = FromOutcome(outcome);
  EXPECT_EQ(back.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(back.status().message(), "too late");
}

TEST(Outcomes, OkErrorCodeBecomesInternal) {
  Outcome outcome;
  outcome.mutable_error()->set_code(0);
  outcome.mutable_error()->set_message("odd");
  Result back = FromOutcome(outcome);
  EXPECT_EQ(back.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(back.status().message(), "odd");
}

TEST(Outcomes, EmptyOutcomeIsInternal) {
  Result back = FromOutcome(Outcome());
  EXPECT_EQ(back.status().code(), absl::StatusCode::kInternal);
}

TEST(Outcomes, GrpcStatusKeepsCodeAndMessage) {
  grpc::Status status = ToGrpcStatus(absl::ResourceExhaustedError("queue full"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(status.error_message(), "queue full");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace parley::pipeline
