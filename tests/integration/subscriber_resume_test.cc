// Resuming subscribers and slow subscribers against the real binaries on
// loopback: resume at the seam, resume past the history window, and one
// subscriber that never reads while others keep up.

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "chat_client.h"
#include "gmock/gmock.h"
#include "grpc/grpc.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "parley/base/mutex.h"
#include "parley/v1/chat.grpc.pb.h"
#include "service_stack.h"

namespace parley::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kRoom[] = "lobby";

std::unique_ptr<v1::Broadcaster::Stub> BroadcasterStub(const std::string& address,
                                                       const grpc::ChannelArguments& arguments) {
  return v1::Broadcaster::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments));
}

// Sends `count` messages to kRoom from `senders` concurrent clients and
// returns the latency of each Send. Fails the test on any error.
std::vector<absl::Duration> SendMessages(const std::string& intake_address, int count,
                                         int senders, const std::string& tag) {
  parley::Mutex mu;
  std::vector<absl::Duration> latencies;
  std::vector<std::string> failures;
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int sender = 0; sender < senders; ++sender) {
    threads.emplace_back([&, sender] {
      IntakeClient client(intake_address);
      std::vector<absl::Duration> own;
      for (int i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
        absl::Time started = absl::Now();
        auto reply = client.Send(kRoom, absl::StrCat("sender", sender), absl::StrCat("message ", i),
                                 absl::StrCat(tag, "-", i), absl::Seconds(30));
        own.push_back(absl::Now() - started);
        if (!reply.ok()) {
          parley::MutexLock lock(&mu);
          failures.push_back(reply.status().ToString());
        }
      }
      parley::MutexLock lock(&mu);
      latencies.insert(latencies.end(), own.begin(), own.end());
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_TRUE(failures.empty()) << failures.size() << " sends failed, first: " << failures.front();
  return latencies;
}

absl::Duration Percentile(std::vector<absl::Duration> values, double fraction) {
  if (values.empty()) return absl::ZeroDuration();
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(fraction * static_cast<double>(values.size() - 1))];
}

// Opens a Subscribe stream with `request` and reads until `messages`
// messages arrived or `timeout` passes. Returns every event read.
std::vector<v1::Event> ReadEvents(const std::string& address, const v1::SubscribeRequest& request,
                                  size_t messages, absl::Duration timeout) {
  auto stub = BroadcasterStub(address, grpc::ChannelArguments());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  auto reader = stub->Subscribe(&context, request);
  std::vector<v1::Event> events;
  size_t seen = 0;
  v1::Event event;
  while (seen < messages && reader->Read(&event)) {
    if (event.has_message()) ++seen;
    events.push_back(event);
  }
  context.TryCancel();
  reader->Finish().IgnoreError();
  return events;
}

// Waits until broadcaster reports `count` open Subscribe streams.
bool WaitForSubscribers(ServiceStack& stack, double count, absl::Duration timeout) {
  absl::Time give_up = absl::Now() + timeout;
  while (absl::Now() < give_up) {
    auto value = ScrapeMetric(stack.service("broadcaster").metrics_port,
                              "parley_broadcaster_subscribers");
    if (value.has_value() && *value == count) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

TEST(SubscriberResume, ResumeAtSeamDeliversEachOnce) {
  ServiceStack stack;
  stack.StartAll();
  {
    RecordingSubscriber first(stack.broadcaster_address(), {kRoom});
    ASSERT_TRUE(first.WaitSubscribed(absl::Seconds(20)));
    SendMessages(stack.intake_address(), 10, 1, "before");
    ASSERT_TRUE(first.WaitForMessages(kRoom, 10, absl::Seconds(20)));
    ASSERT_EQ(first.Messages(kRoom).back().sequence(), 10u);
  }  // disconnects

  SendMessages(stack.intake_address(), 500, 4, "while-away");

  v1::SubscribeRequest request;
  request.add_rooms(kRoom);
  (*request.mutable_room_from_sequence())[kRoom] = 11;
  std::vector<v1::Event> events =
      ReadEvents(stack.broadcaster_address(), request, 500, absl::Seconds(60));
  ASSERT_EQ(events.size(), 500u);
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_TRUE(events[i].has_message()) << "event " << i << ": " << events[i].ShortDebugString();
    ASSERT_EQ(events[i].message().sequence(), 11 + i) << "event " << i;
  }
}

TEST(SubscriberResume, PastHistoryWindowGivesGapFirst) {
  ServiceStack stack(std::map<std::string, std::string>{
      {"broadcaster", "history:\n  max_messages_per_room: 50"}});
  stack.StartAll();
  SendMessages(stack.intake_address(), 100, 4, "old");

  v1::SubscribeRequest request;
  request.add_rooms(kRoom);
  request.set_from_sequence(10);
  std::vector<v1::Event> events =
      ReadEvents(stack.broadcaster_address(), request, 50, absl::Seconds(60));
  ASSERT_EQ(events.size(), 51u);
  ASSERT_TRUE(events[0].has_gap()) << events[0].ShortDebugString();
  EXPECT_EQ(events[0].gap().room(), kRoom);
  EXPECT_EQ(events[0].gap().requested_sequence(), 10u);
  EXPECT_EQ(events[0].gap().first_available_sequence(), 51u);
  for (size_t i = 1; i < events.size(); ++i) {
    ASSERT_TRUE(events[i].has_message()) << "event " << i;
    EXPECT_EQ(events[i].message().sequence(), 50 + i) << "event " << i;
  }
}

TEST(SubscriberResume, BacklogLargerThanQueueIsDelivered) {
  // History keeps more messages than a subscriber queue may take. The
  // replay must still arrive whole, or a client resuming after an outage
  // would be ended again on every attempt.
  ServiceStack stack(std::map<std::string, std::string>{
      {"broadcaster", "subscribers:\n  max_queued_messages: 20"}});
  stack.StartAll();
  SendMessages(stack.intake_address(), 200, 4, "backlog");

  v1::SubscribeRequest request;
  request.add_rooms(kRoom);
  request.set_from_sequence(1);
  std::vector<v1::Event> events =
      ReadEvents(stack.broadcaster_address(), request, 200, absl::Seconds(60));
  ASSERT_EQ(events.size(), 200u);
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_TRUE(events[i].has_message()) << "event " << i << ": " << events[i].ShortDebugString();
    ASSERT_EQ(events[i].message().sequence(), 1 + i) << "event " << i;
  }
}

// A subscriber that checks on a background thread that kRoom's sequences
// arrive as 1, 2, 3 and so on.
class OrderCheckingReader {
 public:
  explicit OrderCheckingReader(const std::string& address)
      : stub_(BroadcasterStub(address, grpc::ChannelArguments())) {
    v1::SubscribeRequest request;
    request.add_rooms(kRoom);
    reader_ = stub_->Subscribe(&context_, request);
    thread_ = std::thread([this] { Read(); });
  }

  ~OrderCheckingReader() {
    context_.TryCancel();
    thread_.join();
  }

  bool WaitForSequence(uint64_t sequence, absl::Duration timeout) {
    parley::MutexLock lock(&mu_);
    auto reached = [this, sequence]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return last_ >= sequence || ended_;
    };
    return mu_.AwaitWithTimeout(reached, timeout) && last_ >= sequence;
  }

  uint64_t out_of_order() {
    parley::MutexLock lock(&mu_);
    return out_of_order_;
  }

 private:
  void Read() {
    v1::Event event;
    while (reader_->Read(&event)) {
      parley::MutexLock lock(&mu_);
      if (!event.has_message() || event.message().sequence() != last_ + 1) {
        ++out_of_order_;
        continue;
      }
      last_ = event.message().sequence();
    }
    reader_->Finish().IgnoreError();
    parley::MutexLock lock(&mu_);
    ended_ = true;
  }

  std::unique_ptr<v1::Broadcaster::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::Event>> reader_;
  parley::Mutex mu_;
  uint64_t last_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t out_of_order_ ABSL_GUARDED_BY(mu_) = 0;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

constexpr int kReaders = 20;
constexpr int kFlowMessages = 20'000;
constexpr int kFlowSenders = 8;

// Runs kFlowMessages through a fresh stack with kReaders readers, and with
// one more subscriber that reads nothing until the traffic is over when
// `with_stalled` is set. Returns the Send latencies.
std::vector<absl::Duration> RunFlow(bool with_stalled) {
  ServiceStack stack;
  stack.StartAll();
  std::vector<std::unique_ptr<OrderCheckingReader>> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.push_back(std::make_unique<OrderCheckingReader>(stack.broadcaster_address()));
  }

  // BDP probing is off on the stalled subscriber's channel, so its stream
  // window stays at HTTP/2's initial 64 KiB. The server's writes to it then
  // stall, and its queue fills up.
  grpc::ChannelArguments no_bdp;
  no_bdp.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  auto stalled_stub = BroadcasterStub(stack.broadcaster_address(), no_bdp);
  grpc::ClientContext stalled_context;
  std::unique_ptr<grpc::ClientReader<v1::Event>> stalled;
  if (with_stalled) {
    v1::SubscribeRequest request;
    request.add_rooms(kRoom);
    stalled = stalled_stub->Subscribe(&stalled_context, request);
  }
  EXPECT_TRUE(WaitForSubscribers(stack, kReaders + (with_stalled ? 1 : 0), absl::Seconds(30)));

  absl::Time started = absl::Now();
  std::vector<absl::Duration> latencies =
      SendMessages(stack.intake_address(), kFlowMessages, kFlowSenders, "flow");
  absl::Duration elapsed = absl::Now() - started;
  std::cout << (with_stalled ? "with" : "without") << " a stalled subscriber: " << kFlowMessages
            << " messages in " << elapsed << ", Send latency median "
            << Percentile(latencies, 0.5) << ", p90 " << Percentile(latencies, 0.9) << "\n";

  for (int i = 0; i < kReaders; ++i) {
    EXPECT_TRUE(readers[i]->WaitForSequence(kFlowMessages, absl::Seconds(120))) << "reader " << i;
    EXPECT_EQ(readers[i]->out_of_order(), 0u) << "reader " << i;
  }
  if (with_stalled) {
    // Reading now drains what the transport still holds, then the status.
    uint64_t last = 0;
    v1::Event event;
    while (stalled->Read(&event)) {
      if (event.has_message()) last = event.message().sequence();
    }
    grpc::Status status = stalled->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(absl::StrCat("last delivered: lobby#", last)));
    EXPECT_LT(last, static_cast<uint64_t>(kFlowMessages));
    auto disconnects = ScrapeMetric(stack.service("broadcaster").metrics_port,
                                    "parley_broadcaster_slow_subscriber_disconnects_total");
    EXPECT_EQ(disconnects.value_or(0), 1);
  }
  return latencies;
}

TEST(SlowSubscriber, EndedWithoutSlowingOthers) {
  std::vector<absl::Duration> baseline = RunFlow(/*with_stalled=*/false);
  std::vector<absl::Duration> stalled = RunFlow(/*with_stalled=*/true);

  // Loose bound, because the machine may be loaded: the median Send latency
  // with the stalled subscriber stays within 2x of the baseline, where a
  // baseline below 2 ms counts as 2 ms.
  absl::Duration floor = std::max(Percentile(baseline, 0.5), absl::Milliseconds(2));
  EXPECT_LE(Percentile(stalled, 0.5), 2 * floor)
      << "baseline median " << Percentile(baseline, 0.5) << ", with a stalled subscriber "
      << Percentile(stalled, 0.5);
}

}  // namespace
}  // namespace parley::testing
