// The watchdog and drain side of the sd_notify protocol of each real
// binary, read from a datagram socket that the test binds as NOTIFY_SOCKET.
// Covered: WATCHDOG=1 at half of WATCHDOG_USEC, no pings when WATCHDOG_PID
// names another process, EXTEND_TIMEOUT_USEC after STOPPING=1 only while
// the drain waits for work in flight, and no pings while processor's
// commits make no progress.

#include <signal.h>

#include <future>
#include <numeric>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "chat_client.h"
#include "gtest/gtest.h"
#include "service_stack.h"

namespace parley::testing {
namespace {

constexpr absl::Duration kWatchdog = absl::Milliseconds(500);

// Wrappers that exec the binary with WATCHDOG_PID set to its own pid, as
// systemd sets it, or without WATCHDOG_PID, which also enables the watchdog.
const std::vector<std::string> kOwnWatchdogPid = {"/bin/sh", "-c",
                                                  "WATCHDOG_PID=$$ exec \"$0\" \"$@\""};
const std::vector<std::string> kNoWatchdogPid = {"/bin/sh", "-c",
                                                 "unset WATCHDOG_PID; exec \"$0\" \"$@\""};

std::string Usec(absl::Duration duration) {
  return std::to_string(absl::ToInt64Microseconds(duration));
}

// Starts the services that `name` feeds, then `name` itself.
ServiceProcess& StartWithDownstream(ServiceStack& stack, const std::string& name) {
  if (name != "broadcaster") stack.Start("broadcaster");
  if (name == "intake") stack.Start("processor");
  return stack.Start(name);
}

// Returns the value of a KEY=VALUE line of `message`, or "" without one.
std::string LineValue(const std::string& message, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(message, '\n')) {
    if (absl::ConsumePrefix(&line, key + "=")) return std::string(line);
  }
  return "";
}

// Waits for the next `count` WATCHDOG=1 messages and returns when each
// arrived. Stops early when one takes longer than `timeout`.
std::vector<absl::Time> PingTimes(NotifySocket& notify, int count, absl::Duration timeout) {
  std::vector<absl::Time> times;
  while (static_cast<int>(times.size()) < count &&
         notify.WaitForLine("WATCHDOG=1", timeout).has_value()) {
    times.push_back(absl::Now());
  }
  return times;
}

// Polls processor's metrics until it has read `count` items from intake.
bool WaitForSubmitted(int processor_metrics_port, double count, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    auto received =
        ScrapeMetric(processor_metrics_port, "parley_hop_items_received_total{hop=\"submit\"}");
    if (received.has_value() && *received >= count) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

// Sends one message on a background thread, so that it is in flight while
// the test signals a service.
std::future<absl::StatusOr<v1::SendResponse>> SendInBackground(const std::string& intake_address,
                                                               const std::string& text) {
  return std::async(std::launch::async, [intake_address, text] {
    IntakeClient client(intake_address);
    return client.Send("lobby", "alice", text, "", absl::Seconds(30));
  });
}

// The service name, and whether WATCHDOG_PID is set.
using PingParam = std::tuple<std::string, bool>;

class WatchdogPing : public ::testing::TestWithParam<PingParam> {};

TEST_P(WatchdogPing, ArrivesAtHalfTheInterval) {
  const auto& [name, own_pid] = GetParam();
  ServiceStack stack;
  stack.SetLaunch(name, {{"WATCHDOG_USEC", Usec(kWatchdog)}},
                  own_pid ? kOwnWatchdogPid : kNoWatchdogPid);
  ServiceProcess& service = StartWithDownstream(stack, name);
  absl::Time ready = absl::Now();

  std::vector<absl::Time> times = PingTimes(*service.notify, 9, kWatchdog * 2);
  ASSERT_EQ(times.size(), 9u) << "pings stopped:\n" << stack.Logs(name);
  EXPECT_LT(times.front() - ready, kWatchdog) << "first ping after READY=1 came late";
  std::vector<absl::Duration> intervals;
  for (size_t i = 1; i < times.size(); ++i) intervals.push_back(times[i] - times[i - 1]);
  absl::Duration mean =
      std::accumulate(intervals.begin(), intervals.end(), absl::ZeroDuration()) /
      static_cast<int64_t>(intervals.size());
  EXPECT_GE(mean, kWatchdog / 2 - absl::Milliseconds(50));
  EXPECT_LE(mean, kWatchdog / 2 + absl::Milliseconds(70));
  for (absl::Duration interval : intervals) {
    // Each ping must come within the watchdog interval, or systemd would abort the service.
    EXPECT_LT(interval, kWatchdog) << "mean " << mean;
    EXPECT_GT(interval, kWatchdog / 5) << "mean " << mean;
  }
}

INSTANTIATE_TEST_SUITE_P(
    EachService, WatchdogPing,
    ::testing::Combine(::testing::Values("intake", "processor", "broadcaster"), ::testing::Bool()),
    [](const auto& info) {
      return std::get<0>(info.param) +
             (std::get<1>(info.param) ? "_with_own_pid" : "_without_pid");
    });

TEST(WatchdogPingElsewhere, NoPingsForAnotherProcessesPid) {
  ServiceStack stack;
  // WATCHDOG_PID names the process that systemd watches, and pid 1 is another process.
  stack.SetLaunch("broadcaster", {{"WATCHDOG_USEC", Usec(kWatchdog)}, {"WATCHDOG_PID", "1"}});
  ServiceProcess& service = stack.Start("broadcaster");
  EXPECT_FALSE(service.notify->WaitForLine("WATCHDOG=1", kWatchdog * 3).has_value());
  EXPECT_FALSE(absl::StrContains(stack.Logs("broadcaster"), "watchdog enabled"));
}

class DrainNotify : public ::testing::TestWithParam<std::string> {};

// With nothing in flight the drain ends at once: STOPPING=1, no request for
// more time, exit 0.
TEST_P(DrainNotify, NoExtensionWhenIdle) {
  const std::string name = GetParam();
  ServiceStack stack;
  ServiceProcess& service = StartWithDownstream(stack, name);
  service.process->Signal(SIGTERM);
  ASSERT_TRUE(service.notify->WaitForLine("STOPPING=1", absl::Seconds(10)).has_value());
  auto status = service.process->Wait(absl::Seconds(20));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(ExitCodeOf(*status), 0) << stack.Logs(name);
  // Collect every message that the service sent before it exited.
  service.notify->WaitFor([](const std::string&) { return false; }, absl::Milliseconds(100));
  for (const std::string& message : service.notify->messages()) {
    EXPECT_EQ(LineValue(message, "EXTEND_TIMEOUT_USEC"), "") << message;
  }
}

INSTANTIATE_TEST_SUITE_P(EachService, DrainNotify,
                         ::testing::Values("intake", "processor", "broadcaster"),
                         [](const auto& info) { return info.param; });

class DrainInFlight : public ::testing::TestWithParam<std::string> {};

// SIGTERM while a Send waits on a slow commit: STOPPING=1, then
// EXTEND_TIMEOUT_USEC covering the rest of the drain, and the Send is still
// acknowledged before the service exits 0.
TEST_P(DrainInFlight, ExtendsTheStopTimeout) {
  const std::string name = GetParam();
  constexpr absl::Duration kDrainTimeout = absl::Seconds(10);
  constexpr absl::Duration kGrace = absl::Seconds(2);  // ServiceStack's shutdown_grace
  ServiceStack stack({{"processor", "commit_delay: 3s"}}, kDrainTimeout);
  stack.StartAll();
  ServiceProcess& service = stack.service(name);

  auto send = SendInBackground(stack.intake_address(), "in flight at SIGTERM");
  ASSERT_TRUE(WaitForSubmitted(stack.service("processor").metrics_port, 1, absl::Seconds(10)))
      << stack.Logs("processor");
  service.process->Signal(SIGTERM);

  ASSERT_TRUE(service.notify->WaitForLine("STOPPING=1", absl::Seconds(5)).has_value());
  auto extend = service.notify->WaitFor(
      [](const std::string& message) {
        return !LineValue(message, "EXTEND_TIMEOUT_USEC").empty();
      },
      absl::Seconds(5));
  ASSERT_TRUE(extend.has_value()) << stack.Logs(name);
  int64_t usec = 0;
  ASSERT_TRUE(absl::SimpleAtoi(LineValue(*extend, "EXTEND_TIMEOUT_USEC"), &usec)) << *extend;
  // The rest of the drain timeout, shutdown_grace and 5 s of margin.
  EXPECT_GE(absl::Microseconds(usec), kGrace + absl::Seconds(5)) << *extend;
  EXPECT_LE(absl::Microseconds(usec), kDrainTimeout + kGrace + absl::Seconds(5)) << *extend;
  EXPECT_TRUE(service.notify
                  ->WaitFor(
                      [](const std::string& message) {
                        return absl::StrContains(message, "STATUS=draining: 1 in flight");
                      },
                      absl::Seconds(5))
                  .has_value());

  auto response = send.get();
  ASSERT_TRUE(response.ok()) << response.status() << "\n" << stack.Logs(name);
  EXPECT_EQ(response->sequence(), 1u);
  auto status = service.process->Wait(kDrainTimeout + absl::Seconds(10));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(ExitCodeOf(*status), 0) << stack.Logs(name);
}

INSTANTIATE_TEST_SUITE_P(FrontOfThePipeline, DrainInFlight,
                         ::testing::Values("intake", "processor"),
                         [](const auto& info) { return info.param; });

// A commit that makes no progress for longer than stall_timeout makes
// processor unhealthy: it withholds WATCHDOG=1, so systemd would restart
// it, and pings resume once the commit goes through.
TEST(WatchdogWedged, ProcessorStopsPingingWhileCommitsAreStuck) {
  constexpr absl::Duration kInterval = absl::Seconds(1);
  constexpr absl::Duration kCommitDelay = absl::Seconds(8);
  constexpr absl::Duration kStall = absl::Seconds(2);
  ServiceStack stack({{"processor",
                       absl::StrCat("commit_delay: ", absl::FormatDuration(kCommitDelay),
                                    "\nstall_timeout: ", absl::FormatDuration(kStall))}},
                     absl::Seconds(10));
  stack.SetLaunch("processor", {{"WATCHDOG_USEC", Usec(kInterval)}}, kOwnWatchdogPid);
  stack.StartAll();
  NotifySocket& notify = *stack.service("processor").notify;
  ASSERT_EQ(PingTimes(notify, 2, kInterval).size(), 2u) << "no pings while idle";

  auto send = SendInBackground(stack.intake_address(), "stuck behind a slow commit");
  ASSERT_TRUE(WaitForSubmitted(stack.service("processor").metrics_port, 1, absl::Seconds(10)));
  absl::Time submitted = absl::Now();

  // Look for a silence longer than the watchdog interval before the commit.
  bool silent = false;
  while (!silent && absl::Now() < submitted + kCommitDelay - kInterval) {
    silent = !notify.WaitForLine("WATCHDOG=1", kInterval + absl::Milliseconds(200)).has_value();
  }
  EXPECT_TRUE(silent) << "processor kept pinging while its commit was stuck:\n"
                      << stack.Logs("processor");

  auto response = send.get();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(PingTimes(notify, 2, kInterval * 2).size(), 2u)
      << "pings did not resume after the commit:\n"
      << stack.Logs("processor");
}

}  // namespace
}  // namespace parley::testing
