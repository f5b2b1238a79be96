// Deadlines and cancellation across the three processes: a message whose
// client deadline passed or whose client cancelled before commit is never
// delivered, and the drop is counted.

#include <functional>
#include <map>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "chat_client.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "service_stack.h"

namespace parley::testing {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);

// Polls a metric until `done` accepts its value; returns the last value read.
double WaitForMetricValue(int port, const std::string& sample,
                          const std::function<bool(double)>& done) {
  absl::Time give_up = absl::Now() + kWait;
  double value = 0;
  while (absl::Now() < give_up) {
    value = ScrapeMetric(port, sample).value_or(0);
    if (done(value)) break;
    absl::SleepFor(absl::Milliseconds(50));  // polling interval, not synchronisation
  }
  return value;
}

// Polls a metric until it reaches `at_least`; returns the last value read.
double WaitForMetric(int port, const std::string& sample, double at_least) {
  return WaitForMetricValue(port, sample, [at_least](double value) { return value >= at_least; });
}

TEST(Deadline, SlowCommitExpiresAndIsNeverDelivered) {
  ServiceStack stack(std::map<std::string, std::string>{{"processor", "commit_delay: 1500ms"}});
  stack.StartAll();
  RecordingSubscriber subscriber(stack.broadcaster_address(), {"slow"});
  ASSERT_TRUE(subscriber.WaitSubscribed(kWait));
  IntakeClient client(stack.intake_address());

  absl::Time started = absl::Now();
  auto expired = client.Send("slow", "ann", "too late", "late-1", absl::Milliseconds(400));
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kDeadlineExceeded) << expired.status();
  EXPECT_LT(absl::Now() - started, absl::Seconds(1)) << "Send outlived its deadline";

  EXPECT_GE(WaitForMetric(stack.service("processor").metrics_port,
                          R"(parley_dropped_total{hop="processor",reason="expired"})", 1),
            1);
  EXPECT_GE(WaitForMetric(stack.service("intake").metrics_port,
                          R"(parley_dropped_total{hop="intake",reason="expired"})", 1),
            1);

  // The expired message took no sequence number and reached nobody.
  auto next = client.Send("slow", "ann", "in time", "late-2", absl::Seconds(10));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->sequence(), 1u);
  ASSERT_TRUE(subscriber.WaitForMessages("slow", 1, kWait));
  ASSERT_EQ(subscriber.Messages("slow").size(), 1u);
  EXPECT_EQ(subscriber.Messages("slow")[0].text(), "in time");
}

TEST(Deadline, ClientCancelBeforeCommitIsNeverDelivered) {
  ServiceStack stack(std::map<std::string, std::string>{{"processor", "commit_delay: 1500ms"}});
  stack.StartAll();
  RecordingSubscriber subscriber(stack.broadcaster_address(), {"quiet"});
  ASSERT_TRUE(subscriber.WaitSubscribed(kWait));
  int processor_metrics = stack.service("processor").metrics_port;

  auto channel = grpc::CreateChannel(stack.intake_address(), grpc::InsecureChannelCredentials());
  auto stub = v1::Intake::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::SendRequest request;
  request.set_room("quiet");
  request.set_sender("ann");
  request.set_text("never mind");
  request.set_client_message_id("cancel-1");
  v1::SendResponse response;
  grpc::Status status;
  std::thread call([&] { status = stub->Send(&context, request, &response); });

  // Cancel once processor holds the message in its commit delay.
  EXPECT_GE(WaitForMetric(processor_metrics, R"(parley_hop_items_received_total{hop="submit"})", 1),
            1);
  context.TryCancel();
  call.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);

  EXPECT_GE(WaitForMetric(processor_metrics,
                          R"(parley_dropped_total{hop="processor",reason="cancelled"})", 1),
            1);
  IntakeClient client(stack.intake_address());
  auto next = client.Send("quiet", "ann", "after the cancel", "cancel-2", absl::Seconds(10));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->sequence(), 1u);
  ASSERT_TRUE(subscriber.WaitForMessages("quiet", 1, kWait));
  ASSERT_EQ(subscriber.Messages("quiet").size(), 1u);
  EXPECT_EQ(subscriber.Messages("quiet")[0].text(), "after the cancel");
}

TEST(Deadline, UnreachableProcessorFailsWithinDeadline) {
  ServiceStack stack;
  stack.StartAll();
  stack.Kill("processor");
  IntakeClient client(stack.intake_address());

  for (int i = 0; i < 5; ++i) {
    absl::Time started = absl::Now();
    auto reply = client.Send("void", "ann", "anyone?", absl::StrCat("void-", i),
                             absl::Milliseconds(300));
    EXPECT_TRUE(absl::IsDeadlineExceeded(reply.status()) || absl::IsUnavailable(reply.status()))
        << reply.status();
    EXPECT_LT(absl::Now() - started, absl::Seconds(1)) << "Send outlived its deadline";
  }
  // Nothing stays pending in intake once the deadlines passed. The client
  // sees its own deadline a moment before intake's link expires the item.
  EXPECT_EQ(WaitForMetricValue(stack.service("intake").metrics_port,
                               R"(parley_link_pending_items{link="processor"})",
                               [](double value) { return value == 0; }),
            0);
}

}  // namespace
}  // namespace parley::testing
