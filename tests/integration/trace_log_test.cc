// A trace id follows a message through the logs of all three services: the
// one a client sets in x-parley-trace-id, or the one intake generates when
// the client sets none or an invalid one. Intake returns the id it used.

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "chat_client.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "parley/v1/chat.grpc.pb.h"
#include "service_stack.h"

namespace parley::testing {
namespace {

constexpr char kServices[][12] = {"intake", "processor", "broadcaster"};

constexpr char kTraceIdHeader[] = "x-parley-trace-id";

// Sends one message from `sender` to "lobby", with `trace_id` in
// x-parley-trace-id unless it is empty. Returns the trace id that intake
// returned in the same key.
absl::StatusOr<std::string> SendTraced(const std::string& intake_address,
                                       const std::string& client_message_id,
                                       const std::string& trace_id,
                                       const std::string& sender = "ann") {
  auto stub = v1::Intake::NewStub(
      grpc::CreateChannel(intake_address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  if (!trace_id.empty()) context.AddMetadata(kTraceIdHeader, trace_id);
  v1::SendRequest request;
  request.set_room("lobby");
  request.set_sender(sender);
  request.set_text("hello");
  request.set_client_message_id(client_message_id);
  v1::SendResponse response;
  grpc::Status status = stub->Send(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  auto returned = context.GetServerInitialMetadata().find(kTraceIdHeader);
  if (returned == context.GetServerInitialMetadata().end()) return std::string();
  return std::string(returned->second.data(), returned->second.size());
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

TEST(TraceLogs, ClientTraceIdInEveryService) {
  ServiceStack stack;
  stack.StartAll();
  RecordingSubscriber subscriber(stack.broadcaster_address(), {"lobby"});
  ASSERT_TRUE(subscriber.WaitSubscribed(absl::Seconds(10)));

  const std::string trace_id = "trace-4f2a9c";
  absl::StatusOr<std::string> returned = SendTraced(stack.intake_address(), "traced-1", trace_id);
  ASSERT_TRUE(returned.ok()) << returned.status();
  EXPECT_EQ(*returned, trace_id);
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

  // No trace id, and one with a space, which would split the log field.
  struct Case {
    std::string client_message_id;
    std::string sent_trace_id;
  };
  for (const Case& c : {Case{"untraced-1", ""}, Case{"untraced-2", "has space"}}) {
    absl::StatusOr<std::string> trace_id =
        SendTraced(stack.intake_address(), c.client_message_id, c.sent_trace_id);
    ASSERT_TRUE(trace_id.ok()) << trace_id.status();
    ASSERT_FALSE(trace_id->empty()) << "intake returned no " << kTraceIdHeader;
    EXPECT_NE(*trace_id, c.sent_trace_id);

    for (const char* service : kServices) {
      EXPECT_TRUE(WaitForTracedLine(stack, service, "ann/" + c.client_message_id, *trace_id))
          << service << " logged no line with the message and trace ids:\n"
          << stack.Logs(service);
    }
  }
}

// Returns the message fields of the JSON lines in `log`, and fails the test
// for every line that is not a JSON object from `service`. A last line
// without its newline may still be being written and is skipped.
std::vector<std::string> JsonMessages(const std::string& log, const std::string& service) {
  std::vector<std::string> messages;
  size_t last_newline = log.rfind('\n');
  std::istringstream lines(last_newline == std::string::npos ? ""
                                                             : log.substr(0, last_newline + 1));
  for (std::string line; std::getline(lines, line);) {
    google::protobuf::Struct parsed;
    auto status = google::protobuf::util::JsonStringToMessage(line, &parsed);
    if (!status.ok()) {
      ADD_FAILURE() << service << " wrote a line that is not JSON (" << status.ToString()
                    << "): " << line;
      continue;
    }
    const auto& fields = parsed.fields();
    EXPECT_EQ(fields.contains("service") ? fields.at("service").string_value() : "", service)
        << line;
    if (fields.contains("message")) messages.push_back(fields.at("message").string_value());
  }
  return messages;
}

TEST(TraceLogs, JsonLinesCarryTraceId) {
  ServiceStack stack;
  stack.SetLogFormat("json");
  stack.StartAll();

  // Quotes and a backslash in the sender reach the log in the message id.
  const std::string sender = R"(ann "the" \ first)";
  const std::string trace_id = "trace-json-7";
  absl::StatusOr<std::string> returned =
      SendTraced(stack.intake_address(), "json-1", trace_id, sender);
  ASSERT_TRUE(returned.ok()) << returned.status();

  std::string ids = absl::StrCat("message_id=", sender, "/json-1 trace_id=", trace_id);
  for (const char* service : kServices) {
    bool found = false;
    absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (!found && absl::Now() < give_up) {
      for (const std::string& message :
           JsonMessages(stack.service(service).process->Log(), service)) {
        if (absl::StrContains(message, ids)) found = true;
      }
      if (!found) absl::SleepFor(absl::Milliseconds(20));  // polling interval
    }
    EXPECT_TRUE(found) << service << " logged no JSON line with " << ids << ":\n"
                       << stack.Logs(service);
  }
}

}  // namespace
}  // namespace parley::testing
