#include "parley/base/drain_gate.h"

#include <optional>
#include <thread>
#include <utility>

#include "parley/base/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace parley {
namespace {

constexpr absl::Duration kWaitLimit = absl::Seconds(10);

TEST(DrainGate, TokensCountInFlight) {
  DrainGate gate;
  std::optional<DrainGate::Token> first = gate.TryEnter();
  std::optional<DrainGate::Token> second = gate.TryEnter();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(gate.in_flight(), 2u);

  first.reset();
  EXPECT_EQ(gate.in_flight(), 1u);
  second->Release();
  EXPECT_EQ(gate.in_flight(), 0u);
}

TEST(DrainGate, TryEnterAfterCloseFails) {
  DrainGate gate;
  gate.Close();
  EXPECT_TRUE(gate.closed());
  EXPECT_FALSE(gate.TryEnter().has_value());
  EXPECT_EQ(gate.in_flight(), 0u);
}

TEST(DrainGate, CloseKeepsWorkInFlight) {
  DrainGate gate;
  std::optional<DrainGate::Token> token = gate.TryEnter();
  ASSERT_TRUE(token.has_value());
  gate.Close();
  gate.Close();
  EXPECT_EQ(gate.in_flight(), 1u);
  token.reset();
  EXPECT_EQ(gate.in_flight(), 0u);
}

TEST(DrainGate, WaitDrainedReturnsZeroWhenIdle) {
  DrainGate gate;
  gate.Close();
  EXPECT_EQ(gate.WaitDrained(absl::InfinitePast()), 0u);
}

TEST(DrainGate, WaitDrainedReturnsHeldAtDeadline) {
  DrainGate gate;
  std::optional<DrainGate::Token> first = gate.TryEnter();
  std::optional<DrainGate::Token> second = gate.TryEnter();
  std::optional<DrainGate::Token> third = gate.TryEnter();
  gate.Close();

  EXPECT_EQ(gate.WaitDrained(absl::Now() + absl::Milliseconds(20)), 3u);
  second.reset();
  EXPECT_EQ(gate.WaitDrained(absl::InfinitePast()), 2u);
}

TEST(DrainGate, WaitDrainedWakesOnRelease) {
  DrainGate gate;
  std::optional<DrainGate::Token> token = gate.TryEnter();
  ASSERT_TRUE(token.has_value());
  gate.Close();

  parley::Notification waiting;
  size_t left = 99;
  std::jthread waiter([&] {
    waiting.Notify();
    left = gate.WaitDrained(absl::Now() + kWaitLimit);
  });
  ASSERT_TRUE(waiting.WaitForNotificationWithTimeout(kWaitLimit));
  token->Release();
  waiter.join();
  EXPECT_EQ(left, 0u);
}

TEST(DrainGate, MovedTokenReleasesOnce) {
  DrainGate gate;
  std::optional<DrainGate::Token> token = gate.TryEnter();
  ASSERT_TRUE(token.has_value());

  DrainGate::Token moved(std::move(*token));
  EXPECT_EQ(gate.in_flight(), 1u);
  token.reset();  // the moved-from token holds nothing
  EXPECT_EQ(gate.in_flight(), 1u);
  moved.Release();
  EXPECT_EQ(gate.in_flight(), 0u);
  moved.Release();  // a second release does nothing
  EXPECT_EQ(gate.in_flight(), 0u);
}

TEST(DrainGate, MoveAssignReleasesTarget) {
  DrainGate gate;
  std::optional<DrainGate::Token> first = gate.TryEnter();
  std::optional<DrainGate::Token> second = gate.TryEnter();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(gate.in_flight(), 2u);

  // The token assigned over is released; the moved one lives on in *first.
  *first = std::move(*second);
  EXPECT_EQ(gate.in_flight(), 1u);
  second.reset();
  EXPECT_EQ(gate.in_flight(), 1u);
  first.reset();
  EXPECT_EQ(gate.in_flight(), 0u);
}

TEST(DrainGate, SelfMoveAssignKeepsToken) {
  DrainGate gate;
  std::optional<DrainGate::Token> token = gate.TryEnter();
  ASSERT_TRUE(token.has_value());
  DrainGate::Token& alias = *token;
  *token = std::move(alias);
  EXPECT_EQ(gate.in_flight(), 1u);
  token.reset();
  EXPECT_EQ(gate.in_flight(), 0u);
}

}  // namespace
}  // namespace parley
