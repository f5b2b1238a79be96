#include "rate_limiter.h"

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace parley::intake {
namespace {

// A clock that moves only when the test advances it.
class FakeClock {
 public:
  absl::Time Now() const { return now_; }
  void Advance(absl::Duration duration) { now_ += duration; }
  RateLimiter::Clock AsClock() {
    return [this] { return Now(); };
  }

 private:
  absl::Time now_ = absl::FromUnixSeconds(1'700'000'000);
};

TEST(RateLimiter, AdmitsBurstThenRejects) {
  FakeClock clock;
  RateLimiter limiter({.messages_per_second = 5, .burst = 3}, clock.AsClock());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("ann").ok()) << i;

  absl::Status status = limiter.Admit("ann");
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(),
            "sender \"ann\" exceeded 5 messages per second (burst 3); retry in 200ms");
  EXPECT_EQ(RateLimiter::RetryDelay(status), absl::Milliseconds(200));
}

TEST(RateLimiter, RetryAfterHintSucceeds) {
  FakeClock clock;
  RateLimiter limiter({.messages_per_second = 5, .burst = 1}, clock.AsClock());
  ASSERT_TRUE(limiter.Admit("ann").ok());
  clock.Advance(absl::Milliseconds(80));

  absl::Status status = limiter.Admit("ann");
  std::optional<absl::Duration> delay = RateLimiter::RetryDelay(status);
  ASSERT_TRUE(delay.has_value()) << status;
  EXPECT_EQ(*delay, absl::Milliseconds(120));

  clock.Advance(*delay - absl::Milliseconds(1));
  EXPECT_EQ(limiter.Admit("ann").code(), absl::StatusCode::kResourceExhausted);
  clock.Advance(absl::Milliseconds(1));
  EXPECT_TRUE(limiter.Admit("ann").ok());
}

TEST(RateLimiter, RejectedAttemptsTakeNoToken) {
  FakeClock clock;
  RateLimiter limiter({.messages_per_second = 10, .burst = 1}, clock.AsClock());
  ASSERT_TRUE(limiter.Admit("ann").ok());
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.Admit("ann").ok());
  clock.Advance(absl::Milliseconds(100));
  EXPECT_TRUE(limiter.Admit("ann").ok());
}

TEST(RateLimiter, SendersHaveOwnBuckets) {
  FakeClock clock;
  RateLimiter limiter({.messages_per_second = 1, .burst = 2}, clock.AsClock());
  ASSERT_TRUE(limiter.Admit("ann").ok());
  ASSERT_TRUE(limiter.Admit("ann").ok());
  EXPECT_FALSE(limiter.Admit("ann").ok());
  EXPECT_TRUE(limiter.Admit("bob").ok());
  EXPECT_TRUE(limiter.Admit("bob").ok());
}

TEST(RateLimiter, RefillStopsAtBurst) {
  FakeClock clock;
  RateLimiter limiter({.messages_per_second = 100, .burst = 2}, clock.AsClock());
  clock.Advance(absl::Hours(1));
  EXPECT_TRUE(limiter.Admit("ann").ok());
  EXPECT_TRUE(limiter.Admit("ann").ok());
  EXPECT_FALSE(limiter.Admit("ann").ok());
}

TEST(RateLimiter, EvictsRefilledBuckets) {
  FakeClock clock;
  RateLimiter limiter({.messages_per_second = 10, .burst = 5}, clock.AsClock());
  ASSERT_TRUE(limiter.Admit("ann").ok());
  ASSERT_TRUE(limiter.Admit("bob").ok());
  EXPECT_EQ(limiter.tracked_senders(), 2u);

  // 500 ms refill a whole bucket of 5 at 10 per second.
  clock.Advance(absl::Milliseconds(500));
  ASSERT_TRUE(limiter.Admit("cat").ok());
  EXPECT_EQ(limiter.tracked_senders(), 1u) << "ann and bob refilled and were forgotten";
}

TEST(RateLimiter, RejectsNewSenderWhenTableFull) {
  FakeClock clock;
  RateLimiter limiter({.messages_per_second = 10, .burst = 2, .max_senders = 2},
                      clock.AsClock());
  ASSERT_TRUE(limiter.Admit("ann").ok());
  clock.Advance(absl::Milliseconds(50));
  ASSERT_TRUE(limiter.Admit("bob").ok());

  absl::Status status = limiter.Admit("cat");
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  // ann's bucket is full 100 ms after her message, 50 ms from now.
  EXPECT_EQ(status.message(),
            "intake is rate limiting 2 senders already (rate_limit.max_senders); retry in 50ms");
  EXPECT_EQ(RateLimiter::RetryDelay(status), absl::Milliseconds(50));
  EXPECT_TRUE(limiter.Admit("ann").ok()) << "tracked senders are still admitted";

  // ann's second message delays her refill; bob's bucket is full first.
  clock.Advance(absl::Milliseconds(100));
  EXPECT_TRUE(limiter.Admit("cat").ok());
  EXPECT_EQ(limiter.tracked_senders(), 2u);
}

TEST(RateLimiter, RetryDelayIgnoresOtherStatuses) {
  EXPECT_EQ(RateLimiter::RetryDelay(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(RateLimiter::RetryDelay(absl::ResourceExhaustedError("queue full")), std::nullopt);
  EXPECT_EQ(RateLimiter::RetryDelay(absl::UnavailableError("down")), std::nullopt);
}

}  // namespace
}  // namespace parley::intake
