#include "parley/base/budget.h"

#include <cstdint>
#include <optional>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace parley {
namespace {

// A fixed instant, so no test depends on the real clock.
absl::Time Base() { return absl::FromUnixSeconds(1'700'000'000); }

TEST(Budget, MicrosUntilDeadline) {
  std::optional<int64_t> budget = BudgetMicros(Base() + absl::Milliseconds(1500), Base());
  ASSERT_TRUE(budget.has_value());
  EXPECT_EQ(*budget, 1'500'000);
}

TEST(Budget, InfiniteDeadlineHasNoBudget) {
  EXPECT_FALSE(BudgetMicros(absl::InfiniteFuture(), Base()).has_value());
}

TEST(Budget, NoBudgetGivesInfiniteDeadline) {
  EXPECT_EQ(DeadlineFromBudget(std::nullopt, Base()), absl::InfiniteFuture());
}

TEST(Budget, ExpiredDeadlineIsNotPositive) {
  std::optional<int64_t> at_deadline = BudgetMicros(Base(), Base());
  ASSERT_TRUE(at_deadline.has_value());
  EXPECT_EQ(*at_deadline, 0);

  std::optional<int64_t> past = BudgetMicros(Base() - absl::Seconds(2), Base());
  ASSERT_TRUE(past.has_value());
  EXPECT_EQ(*past, -2'000'000);
}

TEST(Budget, RoundTripKeepsDeadline) {
  absl::Time deadline = Base() + absl::Microseconds(2'345'678);
  std::optional<int64_t> budget = BudgetMicros(deadline, Base());
  ASSERT_TRUE(budget.has_value());
  EXPECT_EQ(DeadlineFromBudget(budget, Base()), deadline);
}

TEST(Budget, ShrinksByTimeSpent) {
  // Sender: 3 s left when the item is written.
  absl::Time sender_deadline = Base() + absl::Seconds(3);
  std::optional<int64_t> sent = BudgetMicros(sender_deadline, Base());
  ASSERT_TRUE(sent.has_value());

  // Receiver: its clock is an hour off; the deadline is relative to it.
  absl::Time received_at = Base() + absl::Hours(1);
  absl::Time receiver_deadline = DeadlineFromBudget(sent, received_at);
  EXPECT_EQ(receiver_deadline, received_at + absl::Seconds(3));

  // 1.2 s later the receiver forwards it: 1.8 s are left.
  std::optional<int64_t> forwarded =
      BudgetMicros(receiver_deadline, received_at + absl::Milliseconds(1200));
  ASSERT_TRUE(forwarded.has_value());
  EXPECT_EQ(*forwarded, 1'800'000);
}

TEST(Budget, NegativeBudgetGivesPastDeadline) {
  EXPECT_EQ(DeadlineFromBudget(-5, Base()), Base() - absl::Microseconds(5));
}

}  // namespace
}  // namespace parley
