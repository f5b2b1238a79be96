// Measures Parley's real binaries on loopback: Send throughput and latency
// by number of concurrent senders, fan-out delivery by number of
// subscribers, and broadcaster memory per history message and per
// subscriber. Prints Markdown tables, and docs/benchmarks.md records a run.
//
// Usage: parley_bench [--quick]
//   --quick  small sizes, for checking that the tool works (CTest runs it);
//            exits non-zero when a message is lost or a Send fails.

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "chat_client.h"
#include "grpcpp/grpcpp.h"
#include "latency_sample.h"
#include "proc_status.h"
#include "room_reader.h"
#include "service_stack.h"

namespace parley::bench {
namespace {

using ::parley::testing::IntakeClient;
using ::parley::testing::ScrapeMetric;
using ::parley::testing::ServiceStack;

constexpr absl::Duration kSendTimeout = absl::Seconds(10);
constexpr absl::Duration kScenarioTimeout = absl::Minutes(3);

struct Sizes {
  std::vector<int> sender_counts;
  int send_messages = 0;
  std::vector<int> subscriber_counts;
  int fanout_messages = 0;
  int history_rooms = 0;
  int history_per_room = 0;
  int idle_subscribers = 0;
};

Sizes FullSizes() {
  return {.sender_counts = {1, 4, 16},
          .send_messages = 4000,
          .subscriber_counts = {1, 10, 100},
          .fanout_messages = 1000,
          .history_rooms = 20,
          .history_per_room = 1000,
          .idle_subscribers = 500};
}

Sizes QuickSizes() {
  return {.sender_counts = {2},
          .send_messages = 100,
          .subscriber_counts = {3},
          .fanout_messages = 50,
          .history_rooms = 2,
          .history_per_room = 50,
          .idle_subscribers = 10};
}

std::string Millis(absl::Duration duration) {
  return absl::StrFormat("%.2f", absl::ToDoubleMilliseconds(duration));
}

// Sends `messages` messages from `senders` threads, spread over `rooms`
// rooms, recording each Send's latency. Returns the number of failures.
int SendFromThreads(const std::string& intake, const std::string& prefix, int senders,
                    int messages, int rooms, LatencySample* latency) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int sender = 0; sender < senders; ++sender) {
    threads.emplace_back([&, sender] {
      IntakeClient client(intake);
      std::string name = absl::StrCat(prefix, "-s", sender);
      for (int i = sender; i < messages; i += senders) {
        std::string room = absl::StrCat(prefix, "-r", i % rooms);
        absl::Time started = absl::Now();
        auto reply = client.Send(room, name, absl::StrCat("benchmark message ", i),
                                 absl::StrCat("m", i), kSendTimeout);
        if (!reply.ok()) {
          failures.fetch_add(1);
          continue;
        }
        latency->Add(absl::Now() - started);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return failures.load();
}

// Waits until broadcaster reports `count` open Subscribe streams.
bool WaitForSubscribers(int metrics_port, int count) {
  absl::Time give_up = absl::Now() + kScenarioTimeout;
  while (absl::Now() < give_up) {
    if (ScrapeMetric(metrics_port, "parley_broadcaster_subscribers").value_or(-1) == count) {
      return true;
    }
    absl::SleepFor(absl::Milliseconds(20));  // polling interval, not synchronisation
  }
  return false;
}

bool RunSendScenario(ServiceStack& stack, const Sizes& sizes) {
  std::printf("\n### Send throughput and latency (%d messages per row)\n\n", sizes.send_messages);
  std::printf("| senders | messages/s | p50 ms | p90 ms | p99 ms | max ms | failures |\n");
  std::printf("|--:|--:|--:|--:|--:|--:|--:|\n");
  bool ok = true;
  for (int senders : sizes.sender_counts) {
    LatencySample latency;
    absl::Time started = absl::Now();
    int failures = SendFromThreads(stack.intake_address(), absl::StrCat("send", senders),
                                   senders, sizes.send_messages, /*rooms=*/8, &latency);
    absl::Duration elapsed = absl::Now() - started;
    std::printf("| %d | %.0f | %s | %s | %s | %s | %d |\n", senders,
                static_cast<double>(latency.size()) / absl::ToDoubleSeconds(elapsed),
                Millis(latency.Quantile(0.5)).c_str(), Millis(latency.Quantile(0.9)).c_str(),
                Millis(latency.Quantile(0.99)).c_str(), Millis(latency.Quantile(1)).c_str(),
                failures);
    ok = ok && failures == 0;
  }
  return ok;
}

bool RunFanoutScenario(ServiceStack& stack, const Sizes& sizes) {
  std::printf("\n### Fan-out to subscribers of one room (%d messages, 4 senders)\n\n",
              sizes.fanout_messages);
  std::printf(
      "| subscribers | deliveries/s | commit-to-receipt p50 ms | p99 ms | received/expected |\n");
  std::printf("|--:|--:|--:|--:|--:|\n");
  auto channel = grpc::CreateChannel(stack.broadcaster_address(), grpc::InsecureChannelCredentials());
  bool ok = true;
  for (int subscribers : sizes.subscriber_counts) {
    std::string prefix = absl::StrCat("fan", subscribers);
    LatencySample delivery;
    std::vector<std::unique_ptr<RoomReader>> readers;
    for (int i = 0; i < subscribers; ++i) {
      readers.push_back(std::make_unique<RoomReader>(channel, prefix + "-r0", sizes.fanout_messages,
                                                     kScenarioTimeout, &delivery));
    }
    if (!WaitForSubscribers(stack.service("broadcaster").metrics_port, subscribers)) return false;
    LatencySample send_latency;
    absl::Time started = absl::Now();
    int failures = SendFromThreads(stack.intake_address(), prefix, /*senders=*/4,
                                   sizes.fanout_messages, /*rooms=*/1, &send_latency);
    size_t received = 0;
    for (auto& reader : readers) received += reader->Join();
    absl::Duration elapsed = absl::Now() - started;
    size_t expected = static_cast<size_t>(subscribers) * sizes.fanout_messages;
    std::printf("| %d | %.0f | %s | %s | %zu/%zu |\n", subscribers,
                static_cast<double>(received) / absl::ToDoubleSeconds(elapsed),
                Millis(delivery.Quantile(0.5)).c_str(), Millis(delivery.Quantile(0.99)).c_str(),
                received, expected);
    ok = ok && failures == 0 && received == expected;
    readers.clear();
    if (!WaitForSubscribers(stack.service("broadcaster").metrics_port, 0)) return false;
  }
  return ok;
}

bool RunMemoryScenario(const Sizes& sizes) {
  ServiceStack stack(
      {{"broadcaster", absl::StrCat("history:\n  max_messages_per_room: ", sizes.history_per_room)}});
  stack.SetLogLevel("info");
  stack.StartAll();
  pid_t broadcaster = stack.service("broadcaster").process->pid();
  LatencySample unused;
  // One message first, so that the baseline includes gRPC's lazy set-up.
  if (SendFromThreads(stack.intake_address(), "warm", 1, 1, 1, &unused) != 0) return false;
  uint64_t baseline = ResidentBytes(broadcaster);

  int messages = sizes.history_rooms * sizes.history_per_room;
  if (SendFromThreads(stack.intake_address(), "hist", 8, messages, sizes.history_rooms, &unused) !=
      0) {
    return false;
  }
  uint64_t with_history = ResidentBytes(broadcaster);

  auto channel = grpc::CreateChannel(stack.broadcaster_address(), grpc::InsecureChannelCredentials());
  LatencySample never_filled;
  std::vector<std::unique_ptr<RoomReader>> idle;
  for (int i = 0; i < sizes.idle_subscribers; ++i) {
    idle.push_back(std::make_unique<RoomReader>(channel, absl::StrCat("idle-r", i % 10), 1,
                                                kScenarioTimeout, &never_filled));
  }
  if (!WaitForSubscribers(stack.service("broadcaster").metrics_port, sizes.idle_subscribers)) {
    return false;
  }
  uint64_t with_subscribers = ResidentBytes(broadcaster);

  auto per = [](uint64_t after, uint64_t before, int count) {
    return after > before ? static_cast<double>(after - before) / count : 0.0;
  };
  std::printf("\n### Broadcaster resident memory\n\n");
  std::printf("| state | RSS MiB | bytes per item |\n|---|--:|--:|\n");
  std::printf("| after one message | %.1f | |\n", baseline / 1048576.0);
  std::printf("| %d rooms x %d messages of history (about 20-byte texts) | %.1f | %.0f per message |\n",
              sizes.history_rooms, sizes.history_per_room, with_history / 1048576.0,
              per(with_history, baseline, messages));
  std::printf("| plus %d idle subscribers | %.1f | %.0f per subscriber |\n",
              sizes.idle_subscribers, with_subscribers / 1048576.0,
              per(with_subscribers, with_history, sizes.idle_subscribers));
  return true;
}

}  // namespace
}  // namespace parley::bench

int main(int argc, char** argv) {
  CLI::App app{"Measures Parley's services on loopback and prints Markdown tables."};
  bool quick = false;
  app.add_flag("--quick", quick, "Small sizes, to check that the tool works");
  CLI11_PARSE(app, argc, argv);

  using namespace parley::bench;
  Sizes sizes = quick ? QuickSizes() : FullSizes();
  std::printf("parley_bench on %u hardware threads\n", std::thread::hardware_concurrency());
  bool ok = true;
  {
    parley::testing::ServiceStack stack;
    stack.SetLogLevel("info");
    stack.StartAll();
    ok = RunSendScenario(stack, sizes) && ok;
    ok = RunFanoutScenario(stack, sizes) && ok;
  }
  ok = RunMemoryScenario(sizes) && ok;
  std::fflush(stdout);
  if (!ok) std::fprintf(stderr, "parley_bench: a Send failed or a message was not delivered\n");
  return ok ? 0 : 1;
}
