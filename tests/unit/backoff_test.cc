#include "parley/base/backoff.h"

#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace parley {
namespace {

constexpr uint64_t kSeed = 42;

BackoffPolicy DoublingPolicy() {
  return BackoffPolicy{
      .initial = absl::Milliseconds(100),
      .max = absl::Seconds(1),
      .multiplier = 2.0,
  };
}

TEST(Backoff, StartsAtInitialCeiling) {
  Backoff backoff(DoublingPolicy(), kSeed);
  EXPECT_EQ(backoff.ceiling(), absl::Milliseconds(100));
}

TEST(Backoff, CeilingGrowsThenCaps) {
  Backoff backoff(DoublingPolicy(), kSeed);
  const std::vector<absl::Duration> expected = {
      absl::Milliseconds(200), absl::Milliseconds(400), absl::Milliseconds(800),
      absl::Seconds(1),        absl::Seconds(1),        absl::Seconds(1),
  };
  for (absl::Duration ceiling : expected) {
    backoff.Next();
    EXPECT_EQ(backoff.ceiling(), ceiling);
  }
}

TEST(Backoff, DelaysStayBelowCeiling) {
  Backoff backoff(DoublingPolicy(), kSeed);
  for (int attempt = 0; attempt < 200; ++attempt) {
    absl::Duration ceiling = backoff.ceiling();
    absl::Duration delay = backoff.Next();
    EXPECT_GE(delay, absl::ZeroDuration()) << "attempt " << attempt;
    EXPECT_LE(delay, ceiling) << "attempt " << attempt;
    EXPECT_LE(delay, DoublingPolicy().max) << "attempt " << attempt;
  }
}

TEST(Backoff, DelaysAreJittered) {
  Backoff backoff(DoublingPolicy(), kSeed);
  for (int attempt = 0; attempt < 10; ++attempt) backoff.Next();
  // At the cap, 50 draws from [0, 1 s] are not all the same.
  absl::Duration first = backoff.Next();
  bool varied = false;
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (backoff.Next() != first) varied = true;
  }
  EXPECT_TRUE(varied);
}

TEST(Backoff, ResetRestoresInitial) {
  Backoff backoff(DoublingPolicy(), kSeed);
  for (int attempt = 0; attempt < 5; ++attempt) backoff.Next();
  ASSERT_EQ(backoff.ceiling(), absl::Seconds(1));

  backoff.Reset();
  EXPECT_EQ(backoff.ceiling(), absl::Milliseconds(100));
  EXPECT_LE(backoff.Next(), absl::Milliseconds(100));
}

TEST(Backoff, SameSeedSameDelays) {
  Backoff first(DoublingPolicy(), kSeed);
  Backoff second(DoublingPolicy(), kSeed);
  for (int attempt = 0; attempt < 20; ++attempt) {
    EXPECT_EQ(first.Next(), second.Next()) << "attempt " << attempt;
  }
}

TEST(Backoff, MaxBelowInitialCapsCeiling) {
  Backoff backoff(BackoffPolicy{.initial = absl::Seconds(2), .max = absl::Seconds(1)}, kSeed);
  backoff.Next();
  EXPECT_EQ(backoff.ceiling(), absl::Seconds(1));
}

// The header promises that the n-th delay is at most min(max, initial *
// multiplier^n), which includes the first one.
TEST(Backoff, FirstDelayCapsAtMax) {
  const BackoffPolicy policy{.initial = absl::Seconds(2), .max = absl::Seconds(1)};
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Backoff backoff(policy, seed);
    EXPECT_LE(backoff.Next(), policy.max) << "seed " << seed;
  }
}

}  // namespace
}  // namespace parley
