// A trace id follows a message through the logs of all three services: the
// one a client sets in x-parley-trace-id, or the one intake generates.

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "chat_client.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "parley/v1/chat.grpc.pb.h"
#include "service_stack.h"

namespace parley::testing {
namespace {

constexpr char kServices[][12] = {"intake", "processor", "broadcaster"};

// Sends one message to "lobby", with `trace_id` in x-parley-trace-id unless
// it is empty.
grpc::Status SendTraced(const std::string& intake_address, const std::string& client_message_id,
                        const std::string& trace_id) {
  auto stub = v1::Intake::NewStub(
      grpc::CreateChannel(intake_address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  if (!trace_id.empty()) context.AddMetadata("x-parley-trace-id", trace_id);
  v1::SendRequest request;
  request.set_room("lobby");
  request.set_sender("ann");
  request.set_text("hello");
  request.set_client_message_id(client_message_id);
  v1::SendResponse response;
  return stub->Send(&context, request, &response);
}

// Waits until a log line of `service` contains both `message_id=ID` and
// `trace_id=TRACE`.
bool WaitForTracedLine(ServiceStack& stack, const std::string& service,
                       const std::string& message_id, const std::string& trace_id) {
  std::string ids = absl::StrCat("message_id=", message_id, " trace_id=", trace_id);
  absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (absl::Now() < give_up) {
    if (absl::StrContains(stack.Logs(service), ids)) return true;
    absl::SleepFor(absl::Milliseconds(20));  // polling interval, not synchronisation
  }
  return false;
}

// Returns the trace id that intake logged for `message_id`, or "".
std::string TraceIdLoggedByIntake(ServiceStack& stack, const std::string& message_id) {
  std::string logs = stack.Logs("intake");
  std::string prefix = absl::StrCat("message_id=", message_id, " trace_id=");
  size_t start = logs.find(prefix);
  if (start == std::string::npos) return "";
  start += prefix.size();
  size_t end = logs.find_first_of(" \n", start);
  return logs.substr(start, end - start);
}

TEST(TraceLogs, ClientTraceIdInEveryService) {
  ServiceStack stack;
  stack.StartAll();
  RecordingSubscriber subscriber(stack.broadcaster_address(), {"lobby"});
  ASSERT_TRUE(subscriber.WaitSubscribed(absl::Seconds(10)));

  const std::string trace_id = "trace-4f2a9c";
  grpc::Status status = SendTraced(stack.intake_address(), "traced-1", trace_id);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(subscriber.WaitForMessages("lobby", 1, absl::Seconds(10)));

  for (const char* service : kServices) {
    EXPECT_TRUE(WaitForTracedLine(stack, service, "ann/traced-1", trace_id))
        << service << " logged no line with the message and trace ids:\n"
        << stack.Logs(service);
  }
}

TEST(TraceLogs, GeneratedTraceIdInEveryService) {
  ServiceStack stack;
  stack.StartAll();

  grpc::Status status = SendTraced(stack.intake_address(), "untraced-1", "");
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::string trace_id = TraceIdLoggedByIntake(stack, "ann/untraced-1");
  ASSERT_FALSE(trace_id.empty()) << stack.Logs("intake");

  for (const char* service : kServices) {
    EXPECT_TRUE(WaitForTracedLine(stack, service, "ann/untraced-1", trace_id))
        << service << " logged no line with the message and trace ids:\n"
        << stack.Logs(service);
  }
}

}  // namespace
}  // namespace parley::testing
