// Input policy against the three real binaries. Every rejected kind of
// Send gets its status code and a message that names the field and the
// limit, and the service keeps serving. The other cases cover the
// per-sender rate limit, the moderation list, NFC sender names and "/me"
// actions.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "chat_client.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "parley/v1/chat.grpc.pb.h"
#include "service_stack.h"

namespace parley::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// "Zoë" with U+00EB, and with "e" followed by U+0308 COMBINING DIAERESIS.
constexpr char kComposedZoe[] = "Zo\xc3\xab";
constexpr char kDecomposedZoe[] = "Zoe\xcc\x88";

constexpr absl::Duration kCallTimeout = absl::Seconds(10);
constexpr absl::Duration kWaitLimit = absl::Seconds(20);

// Returns the extra config of one service for ServiceStack.
std::map<std::string, std::string> StackConfig(const std::string& service,
                                               const std::string& yaml) {
  return {{service, yaml}};
}

v1::SendRequest MakeRequest(const std::string& room, const std::string& sender,
                            const std::string& text, const std::string& client_message_id = "") {
  v1::SendRequest request;
  request.set_room(room);
  request.set_sender(sender);
  request.set_text(text);
  request.set_client_message_id(client_message_id);
  return request;
}

// The status, response and trailing metadata of one Intake.Send call.
struct SendResult {
  grpc::Status status;
  v1::SendResponse response;
  std::map<std::string, std::string> trailers;
};

// Intake.Send through a channel of its own, so that each call's trailing
// metadata can be read.
class RawIntakeClient {
 public:
  explicit RawIntakeClient(const std::string& address)
      : stub_(v1::Intake::NewStub(
            grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))) {}

  SendResult Send(const v1::SendRequest& request) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + kCallTimeout));
    SendResult result;
    result.status = stub_->Send(&context, request, &result.response);
    for (const auto& [key, value] : context.GetServerTrailingMetadata()) {
      result.trailers[std::string(key.data(), key.size())] = std::string(value.data(), value.size());
    }
    return result;
  }

 private:
  std::unique_ptr<v1::Intake::Stub> stub_;
};

// One kind of invalid Send and the status that intake or processor returns.
struct RejectedCase {
  std::string name;
  v1::SendRequest request;
  grpc::StatusCode code;
  std::string message;
};

std::vector<RejectedCase> RejectedCases() {
  return {
      {"EmptyRoom", MakeRequest("", "ann", "hi"), grpc::StatusCode::INVALID_ARGUMENT,
       "room: must not be empty"},
      {"RoomTooLong", MakeRequest(std::string(65, 'r'), "ann", "hi"),
       grpc::StatusCode::INVALID_ARGUMENT, "room: is 65 bytes, the maximum is 64"},
      {"RoomBadCharset", MakeRequest("two words", "ann", "hi"),
       grpc::StatusCode::INVALID_ARGUMENT,
       "room: may contain only ASCII letters, digits, '-', '_' and '.'"},
      {"EmptySender", MakeRequest("lobby", "", "hi"), grpc::StatusCode::INVALID_ARGUMENT,
       "sender: must not be empty"},
      {"SenderTooLong", MakeRequest("lobby", std::string(33, 's'), "hi"),
       grpc::StatusCode::INVALID_ARGUMENT, "sender: is 33 bytes, the maximum is 32"},
      {"SenderWithSlash", MakeRequest("lobby", "ops/bot", "hi"),
       grpc::StatusCode::INVALID_ARGUMENT, "sender: must not contain '/'"},
      {"SenderControlCharacter", MakeRequest("lobby", "ann\x1b", "hi"),
       grpc::StatusCode::INVALID_ARGUMENT, "sender: must not contain control characters"},
      {"EmptyText", MakeRequest("lobby", "ann", ""), grpc::StatusCode::INVALID_ARGUMENT,
       "text: must not be empty"},
      {"TextTooLong", MakeRequest("lobby", "ann", std::string(4097, 't')),
       grpc::StatusCode::INVALID_ARGUMENT, "text: is 4097 bytes, the maximum is 4096"},
      {"TextControlCharacter", MakeRequest("lobby", "ann", "bell\x07"),
       grpc::StatusCode::INVALID_ARGUMENT,
       "text: contains control character U+0007; only newline and tab are allowed"},
      {"ClientMessageIdWithSpace", MakeRequest("lobby", "ann", "hi", "has space"),
       grpc::StatusCode::INVALID_ARGUMENT,
       "client_message_id: may contain only printable ASCII without spaces"},
      {"EmptyMeAction", MakeRequest("lobby", "ann", "/me "), grpc::StatusCode::INVALID_ARGUMENT,
       "text: \"/me\" needs an action after it, for example \"/me waves\""},
      {"ModeratedWord", MakeRequest("lobby", "ann", "oh Darn it"),
       grpc::StatusCode::INVALID_ARGUMENT,
       "text: contains a word on this server's moderation list; reword the message"},
  };
}

void PrintTo(const RejectedCase& test_case, std::ostream* out) { *out << test_case.name; }

// One stack for every case: processor rejects the listed word "darn".
class InputPolicy : public ::testing::TestWithParam<RejectedCase> {
 protected:
  static void SetUpTestSuite() {
    stack_ = new ServiceStack(StackConfig("processor", "moderation:\n  action: reject\n  words: [darn]\n"));
    stack_->StartAll();
  }

  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  // Sends a valid message and expects it committed: the rejection before
  // left the service serving.
  static void ExpectStillServing(RawIntakeClient& client) {
    SendResult result = client.Send(MakeRequest("lobby", "ann", "still here"));
    EXPECT_TRUE(result.status.ok()) << result.status.error_message();
    EXPECT_GT(result.response.sequence(), 0u);
  }

  static ServiceStack* stack_;
};

ServiceStack* InputPolicy::stack_ = nullptr;

TEST_P(InputPolicy, RejectedWithFieldAndLimit) {
  const RejectedCase& test_case = GetParam();
  RawIntakeClient client(stack_->intake_address());

  SendResult result = client.Send(test_case.request);
  EXPECT_EQ(result.status.error_code(), test_case.code) << result.status.error_message();
  EXPECT_EQ(result.status.error_message(), test_case.message);

  ExpectStillServing(client);
}

INSTANTIATE_TEST_SUITE_P(Kinds, InputPolicy, ::testing::ValuesIn(RejectedCases()),
                         [](const ::testing::TestParamInfo<RejectedCase>& info) {
                           return info.param.name;
                         });

TEST_F(InputPolicy, OversizedMessageRejectedByGrpc) {
  RawIntakeClient client(stack_->intake_address());

  // server.max_message_bytes is 1 MiB by default.
  SendResult result = client.Send(MakeRequest("lobby", "ann", std::string(2 << 20, 't')));
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << result.status.error_message();
  EXPECT_THAT(result.status.error_message(), HasSubstr("larger than max"));
  EXPECT_THAT(result.status.error_message(), HasSubstr("1048576"));

  ExpectStillServing(client);
}

TEST_F(InputPolicy, InvalidUtf8Rejected) {
  RawIntakeClient client(stack_->intake_address());

  SendResult result = client.Send(MakeRequest("lobby", "ann", "bad \xc3\x28"));
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(result.status.error_message(),
            "request: cannot parse parley.v1.SendRequest; room, sender, text and "
            "client_message_id must be valid UTF-8");

  ExpectStillServing(client);
}

TEST_F(InputPolicy, ModerationRejectionCounted) {
  RawIntakeClient client(stack_->intake_address());
  const std::string sample = "parley_processor_moderated_total{action=\"reject\"}";
  double before = ScrapeMetric(stack_->service("processor").metrics_port, sample).value_or(0);

  SendResult result = client.Send(MakeRequest("lobby", "ann", "DARN"));
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // The counter moves before processor sends the outcome.
  EXPECT_EQ(ScrapeMetric(stack_->service("processor").metrics_port, sample), before + 1);
}

TEST_F(InputPolicy, NfcNamesAreOneSender) {
  RecordingSubscriber subscriber(stack_->broadcaster_address(), {"nfc"});
  ASSERT_TRUE(subscriber.WaitSubscribed(kWaitLimit));
  RawIntakeClient client(stack_->intake_address());

  SendResult composed = client.Send(MakeRequest("nfc", kComposedZoe, "first", "z1"));
  ASSERT_TRUE(composed.status.ok()) << composed.status.error_message();
  // The same client_message_id under the decomposed name is a retry of the
  // same message.
  SendResult retry = client.Send(MakeRequest("nfc", kDecomposedZoe, "first", "z1"));
  ASSERT_TRUE(retry.status.ok()) << retry.status.error_message();
  EXPECT_EQ(retry.response.message_id(), composed.response.message_id());
  EXPECT_EQ(retry.response.sequence(), composed.response.sequence());
  EXPECT_EQ(composed.response.message_id(), std::string(kComposedZoe) + "/z1");

  SendResult second = client.Send(MakeRequest("nfc", kDecomposedZoe, "second", "z2"));
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();

  ASSERT_TRUE(subscriber.WaitForMessages("nfc", 2, kWaitLimit));
  std::vector<v1::ChatMessage> messages = subscriber.Messages("nfc");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].sender(), kComposedZoe);
  EXPECT_EQ(messages[0].text(), "first");
  EXPECT_EQ(messages[1].sender(), kComposedZoe);
  EXPECT_EQ(messages[1].text(), "second");
}

TEST_F(InputPolicy, MeArrivesAsAction) {
  RecordingSubscriber subscriber(stack_->broadcaster_address(), {"actions"});
  ASSERT_TRUE(subscriber.WaitSubscribed(kWaitLimit));
  RawIntakeClient client(stack_->intake_address());

  ASSERT_TRUE(client.Send(MakeRequest("actions", "ann", "/me waves")).status.ok());
  ASSERT_TRUE(client.Send(MakeRequest("actions", "ann", "/meant to say hi")).status.ok());

  ASSERT_TRUE(subscriber.WaitForMessages("actions", 2, kWaitLimit));
  std::vector<v1::ChatMessage> messages = subscriber.Messages("actions");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].kind(), v1::ChatMessage::KIND_ACTION);
  EXPECT_EQ(messages[0].text(), "waves");
  EXPECT_EQ(messages[1].kind(), v1::ChatMessage::KIND_TEXT);
  EXPECT_EQ(messages[1].text(), "/meant to say hi");
}

TEST(InputPolicyMask, SubscriberSeesMaskedText) {
  ServiceStack stack(StackConfig("processor", "moderation:\n  action: mask\n  words: [darn, heck]\n"));
  stack.StartAll();
  RecordingSubscriber subscriber(stack.broadcaster_address(), {"lobby"});
  ASSERT_TRUE(subscriber.WaitSubscribed(kWaitLimit));
  RawIntakeClient client(stack.intake_address());

  SendResult result = client.Send(MakeRequest("lobby", "ann", "Darn, what the heck? darned"));
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();

  ASSERT_TRUE(subscriber.WaitForMessages("lobby", 1, kWaitLimit));
  EXPECT_EQ(subscriber.Messages("lobby")[0].text(), "****, what the ****? darned");
  EXPECT_EQ(ScrapeMetric(stack.service("processor").metrics_port,
                         "parley_processor_moderated_total{action=\"mask\"}"),
            1);
}

TEST(InputPolicyRateLimit, BurstThenRetryAfterHint) {
  ServiceStack stack(StackConfig("intake", "rate_limit:\n  messages_per_second: 1\n  burst: 3\n"));
  stack.StartAll();
  RawIntakeClient client(stack.intake_address());

  // A new sender's bucket starts full, so the whole burst is admitted.
  for (int i = 0; i < 3; ++i) {
    SendResult result = client.Send(MakeRequest("lobby", "ann", "burst"));
    ASSERT_TRUE(result.status.ok()) << i << ": " << result.status.error_message();
  }
  // Another sender has a bucket of its own.
  ASSERT_TRUE(client.Send(MakeRequest("lobby", "bob", "hello")).status.ok());

  // The bucket regains one token per second, so Sends back to back soon
  // find it empty, however slow this machine is.
  SendResult limited;
  for (int attempt = 0; attempt < 50; ++attempt) {
    limited = client.Send(MakeRequest("lobby", "ann", "one too many"));
    if (!limited.status.ok()) break;
  }
  ASSERT_EQ(limited.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << limited.status.error_message();
  EXPECT_THAT(limited.status.error_message(),
              MatchesRegex("sender \"ann\" exceeded 1 message per second \\(burst 3\\); "
                           "retry in [0-9]+ms"));
  ASSERT_EQ(limited.trailers.count("retry-after-ms"), 1u);
  int64_t retry_after_ms = 0;
  ASSERT_TRUE(absl::SimpleAtoi(limited.trailers["retry-after-ms"], &retry_after_ms));
  EXPECT_GT(retry_after_ms, 0);
  EXPECT_LE(retry_after_ms, 1000);
  EXPECT_THAT(limited.status.error_message(),
              HasSubstr("retry in " + limited.trailers["retry-after-ms"] + "ms"));
  EXPECT_EQ(ScrapeMetric(stack.service("intake").metrics_port,
                         "parley_intake_rate_limited_total"),
            1);

  // A client that waits for the delay in the hint is admitted, because the
  // bucket has refilled for at least that long since intake replied.
  absl::SleepFor(absl::Milliseconds(retry_after_ms));
  SendResult retried = client.Send(MakeRequest("lobby", "ann", "after the hint"));
  EXPECT_TRUE(retried.status.ok()) << retried.status.error_message();
}

}  // namespace
}  // namespace parley::testing
