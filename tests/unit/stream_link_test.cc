#include "parley/pipeline/stream_link.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "parley/base/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fake_stage.h"
#include "gmock/gmock.h"
#include "grpc/grpc.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "outcome_recorder.h"
#include "parley/base/cancellation.h"
#include "parley/internal/v1/pipeline.grpc.pb.h"
#include "parley/pipeline/hop_server.h"
#include "parley/pipeline/link_metrics.h"
#include "prometheus/registry.h"

namespace parley::pipeline {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using unit_test::FakeStage;
using unit_test::kWaitLimit;
using unit_test::OutcomeRecorder;

// The processor's hop service, reduced to what the link needs. Submit hands
// the stream to a HopServer, and the service records how each stream ended.
class SubmitService final : public internal::v1::Processor::Service {
 public:
  explicit SubmitService(HopServer& hop_server) : hop_server_(hop_server) {}

  grpc::Status Submit(grpc::ServerContext* context, HopServerStream* stream) override {
    grpc::Status status = hop_server_.Serve(context, stream);
    parley::MutexLock lock(&mu_);
    ++streams_ended_;
    last_stream_cancelled_ = context->IsCancelled();
    return status;
  }

  // Waits until `count` streams have ended.
  bool WaitStreamsEnded(int count) {
    parley::MutexLock lock(&mu_);
    auto ended = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return streams_ended_ >= count;
    };
    return mu_.AwaitWithTimeout(ended, kWaitLimit);
  }

  bool last_stream_cancelled() {
    parley::MutexLock lock(&mu_);
    return last_stream_cancelled_;
  }

 private:
  HopServer& hop_server_;
  parley::Mutex mu_;
  int streams_ended_ ABSL_GUARDED_BY(mu_) = 0;
  bool last_stream_cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

Item MakeItem(const std::string& message_id) {
  Item item;
  item.mutable_metadata()->set_message_id(message_id);
  item.mutable_submission()->set_room("lobby");
  item.mutable_submission()->set_sender("alice");
  item.mutable_submission()->set_text("hello");
  return item;
}

class StreamLinkTest : public ::testing::Test {
 protected:
  void TearDown() override {
    // The link goes first, so that nothing reconnects while the server
    // stops. Callbacks the stage still keeps own tokens of the HopServer, so
    // they must run before it is destroyed.
    link_.reset();
    stage_.FailHeld(absl::UnavailableError("test ended"));
    StopServer();
  }

  // Starts a server on 127.0.0.1 at `port`, where 0 picks a free port.
  void StartServer(int port) {
    service_ = std::make_unique<SubmitService>(hop_server_);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(absl::StrCat("127.0.0.1:", port), grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr) << "cannot listen on 127.0.0.1:" << port;
    ASSERT_GT(port_, 0);
  }

  // Cancels every open stream at once and waits for the handlers.
  void StopServer() {
    if (server_ == nullptr) return;
    server_->Shutdown(std::chrono::system_clock::now());
    server_->Wait();
    server_.reset();
  }

  // Creates the link to the server's port with fast reconnects on both the
  // link and the gRPC channel, so that a restart is noticed within
  // milliseconds.
  void CreateLink(int64_t max_pending = 100) {
    config::LinkConfig config{
        .target = absl::StrCat("127.0.0.1:", port_),
        .max_pending = max_pending,
        .reconnect = BackoffPolicy{.initial = absl::Milliseconds(5),
                                   .max = absl::Milliseconds(50)},
    };
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 10);
    arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 50);
    channel_ = grpc::CreateCustomChannel(config.target, grpc::InsecureChannelCredentials(),
                                         arguments);
    stub_ = internal::v1::Processor::NewStub(channel_);
    link_ = std::make_unique<StreamLink>(
        "processor", config,
        [this](grpc::ClientContext* context) { return stub_->Submit(context); },
        LinkMetrics::Create(registry_, "test"));
  }

  void StartLink() {
    link_->Start();
    ASSERT_TRUE(link_->WaitConnected(absl::Now() + kWaitLimit));
  }

  prometheus::Registry registry_;
  // The process-wide cancellation, for the tests that use one.
  CancellationSource shutdown_;
  FakeStage stage_;
  HopServer hop_server_{"submit", stage_, registry_};
  std::unique_ptr<SubmitService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<internal::v1::Processor::Stub> stub_;
  OutcomeRecorder outcomes_;
  std::unique_ptr<StreamLink> link_;
};

TEST_F(StreamLinkTest, ItemsGetOutcomes) {
  StartServer(0);
  CreateLink();
  StartLink();

  for (const std::string id : {"a", "b", "c"}) {
    link_->Send(MakeItem(id), absl::Now() + absl::Minutes(1), outcomes_.Callback(id));
  }
  for (const std::string id : {"a", "b", "c"}) {
    std::optional<Result> result = outcomes_.Wait(id);
    ASSERT_TRUE(result.has_value()) << id;
    ASSERT_TRUE(result->ok()) << id << ": " << result->status();
  }
  EXPECT_EQ(outcomes_.Wait("a")->value().sequence(), 1u);
  EXPECT_EQ(outcomes_.Wait("c")->value().sequence(), 3u);
  EXPECT_THAT(stage_.HandledIds(), ElementsAre("a", "b", "c"));
  EXPECT_EQ(link_->pending(), 0u);
}

TEST_F(StreamLinkTest, BudgetBecomesDeadline) {
  StartServer(0);
  CreateLink();
  StartLink();

  const absl::Time before = absl::Now();
  link_->Send(MakeItem("timed"), before + absl::Seconds(30), outcomes_.Callback("timed"));
  link_->Send(MakeItem("open"), absl::InfiniteFuture(), outcomes_.Callback("open"));
  ASSERT_TRUE(outcomes_.Wait("open").has_value());

  std::vector<FakeStage::Handled> handled = stage_.handled();
  ASSERT_EQ(handled.size(), 2u);
  EXPECT_TRUE(handled[0].item.metadata().has_budget_micros());
  // The stage's deadline is the sender's, measured again on arrival.
  EXPECT_LE(handled[0].deadline, before + absl::Seconds(30) + absl::Seconds(1));
  EXPECT_GT(handled[0].deadline, before + absl::Seconds(20));
  EXPECT_FALSE(handled[1].item.metadata().has_budget_micros());
  EXPECT_EQ(handled[1].deadline, absl::InfiniteFuture());
}

TEST_F(StreamLinkTest, ResendsPendingAfterRestart) {
  StartServer(0);
  const int port = port_;
  CreateLink();
  StartLink();

  // The first server takes both items but never sends their outcomes.
  stage_.set_hold(true);
  link_->Send(MakeItem("a"), absl::Now() + absl::Minutes(1), outcomes_.Callback("a"));
  link_->Send(MakeItem("b"), absl::Now() + absl::Minutes(1), outcomes_.Callback("b"));
  ASSERT_TRUE(stage_.WaitHandled(2));
  StopServer();
  stage_.FailHeld(absl::UnavailableError("server stopped"));
  EXPECT_EQ(outcomes_.Count("a"), 0u) << "the old stream's outcomes must not arrive";

  // An item sent while no server listens waits in the link as well.
  link_->Send(MakeItem("c"), absl::Now() + absl::Minutes(1), outcomes_.Callback("c"));
  EXPECT_EQ(link_->pending(), 3u);

  stage_.set_hold(false);
  StartServer(port);
  for (const std::string id : {"a", "b", "c"}) {
    std::optional<Result> result = outcomes_.Wait(id);
    ASSERT_TRUE(result.has_value()) << id;
    EXPECT_TRUE(result->ok()) << id << ": " << result->status();
    EXPECT_EQ(outcomes_.Count(id), 1u) << id;
  }
  EXPECT_THAT(stage_.HandledIds(), ElementsAre("a", "b", "a", "b", "c"));
  EXPECT_EQ(link_->pending(), 0u);
}

TEST_F(StreamLinkTest, ExpiresWhileServerDown) {
  StartServer(0);
  CreateLink();
  StartLink();
  StopServer();

  link_->Send(MakeItem("late"), absl::Now() + absl::Milliseconds(200),
              outcomes_.Callback("late"));
  std::optional<Result> result = outcomes_.Wait("late");
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(result->status().message()), HasSubstr("processor"));
  EXPECT_EQ(link_->pending(), 0u);
  EXPECT_TRUE(stage_.HandledIds().empty());
}

TEST_F(StreamLinkTest, CloseHalfClosesStream) {
  StartServer(0);
  CreateLink();
  StartLink();
  link_->Send(MakeItem("a"), absl::Now() + absl::Minutes(1), outcomes_.Callback("a"));
  ASSERT_TRUE(outcomes_.Wait("a").has_value());

  const absl::Time started = absl::Now();
  link_->Close(absl::Now() + kWaitLimit);
  EXPECT_LT(absl::Now() - started, absl::Seconds(5));
  EXPECT_FALSE(link_->connected());

  // The server saw the upstream's half-close, not a cancelled call.
  ASSERT_TRUE(service_->WaitStreamsEnded(1));
  EXPECT_FALSE(service_->last_stream_cancelled());
  EXPECT_EQ(hop_server_.in_flight(), 0u);

  link_->Send(MakeItem("after"), absl::InfiniteFuture(), outcomes_.Callback("after"));
  std::optional<Result> after = outcomes_.Wait("after", absl::ZeroDuration());
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->status().code(), absl::StatusCode::kUnavailable);
  link_->Close(absl::Now());  // idempotent
}

TEST_F(StreamLinkTest, CloseFailsPendingAtDeadline) {
  StartServer(0);
  CreateLink();
  StartLink();
  stage_.set_hold(true);
  link_->Send(MakeItem("stuck"), absl::InfiniteFuture(), outcomes_.Callback("stuck"));
  ASSERT_TRUE(stage_.WaitHandled(1));

  link_->Close(absl::Now() + absl::Milliseconds(100));
  std::optional<Result> result = outcomes_.Wait("stuck", absl::ZeroDuration());
  ASSERT_TRUE(result.has_value()) << "Close must resolve what is still pending";
  EXPECT_EQ(result->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(link_->pending(), 0u);
}

TEST_F(StreamLinkTest, MaxPendingRejectsUnavailable) {
  StartServer(0);
  CreateLink(/*max_pending=*/2);
  StartLink();
  stage_.set_hold(true);
  link_->Send(MakeItem("a"), absl::InfiniteFuture(), outcomes_.Callback("a"));
  link_->Send(MakeItem("b"), absl::InfiniteFuture(), outcomes_.Callback("b"));
  ASSERT_TRUE(stage_.WaitHandled(2));

  link_->Send(MakeItem("c"), absl::InfiniteFuture(), outcomes_.Callback("c"));
  std::optional<Result> rejected = outcomes_.Wait("c", absl::ZeroDuration());
  ASSERT_TRUE(rejected.has_value()) << "a full link must answer at once";
  EXPECT_EQ(rejected->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(rejected->status().message()), HasSubstr("max_pending 2"));

  // A retry of an item in flight joins it instead of being rejected.
  link_->Send(MakeItem("a"), absl::InfiniteFuture(), outcomes_.Callback("a-retry"));
  EXPECT_EQ(outcomes_.Count("a-retry"), 0u);
  stage_.CommitHeld();
  std::optional<Result> first = outcomes_.Wait("a");
  std::optional<Result> retry = outcomes_.Wait("a-retry");
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(retry.has_value());
  ASSERT_TRUE(first->ok());
  ASSERT_TRUE(retry->ok());
  EXPECT_EQ(first->value().sequence(), retry->value().sequence());
  EXPECT_TRUE(outcomes_.Wait("b").has_value());
  EXPECT_THAT(stage_.HandledIds(), ElementsAre("a", "b"));
}

TEST_F(StreamLinkTest, CancelReachesServer) {
  StartServer(0);
  CreateLink();
  StartLink();
  stage_.set_hold(true);
  link_->Send(MakeItem("a"), absl::InfiniteFuture(), outcomes_.Callback("a"));
  ASSERT_TRUE(stage_.WaitHandled(1));

  link_->Cancel("a");
  ASSERT_TRUE(stage_.WaitCancelled("a"));
  std::optional<Result> result = outcomes_.Wait("a");
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status().code(), absl::StatusCode::kCancelled);
}

TEST_F(StreamLinkTest, ReplaysOnEveryStream) {
  StartServer(0);
  const int port = port_;
  CreateLink();
  link_->SetReplay([] { return std::vector<Item>{MakeItem("r1"), MakeItem("r2")}; });
  StartLink();
  ASSERT_TRUE(stage_.WaitHandled(2));

  link_->Send(MakeItem("a"), absl::InfiniteFuture(), outcomes_.Callback("a"));
  ASSERT_TRUE(outcomes_.Wait("a").has_value());
  EXPECT_THAT(stage_.HandledIds(), ElementsAre("r1", "r2", "a"));

  // A new stream starts with the replay again, before the pending items.
  stage_.set_hold(true);
  link_->Send(MakeItem("b"), absl::InfiniteFuture(), outcomes_.Callback("b"));
  ASSERT_TRUE(stage_.WaitHandled(4));
  StopServer();
  stage_.FailHeld(absl::UnavailableError("server stopped"));
  stage_.set_hold(false);
  StartServer(port);

  std::optional<Result> b = outcomes_.Wait("b");
  ASSERT_TRUE(b.has_value());
  EXPECT_TRUE(b->ok()) << b->status();
  EXPECT_THAT(stage_.HandledIds(), ElementsAre("r1", "r2", "a", "b", "r1", "r2", "b"));
  EXPECT_EQ(link_->pending(), 0u) << "replayed items are not tracked";
}

TEST_F(StreamLinkTest, ExpiresWaitingForOutcome) {
  StartServer(0);
  CreateLink();
  StartLink();
  stage_.set_hold(true);
  link_->Send(MakeItem("slow"), absl::Now() + absl::Milliseconds(100),
              outcomes_.Callback("slow"));
  ASSERT_TRUE(stage_.WaitHandled(1));

  std::optional<Result> result = outcomes_.Wait("slow");
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status().code(), absl::StatusCode::kDeadlineExceeded);

  // The stage's late commit finds nothing left to resolve.
  stage_.CommitHeld();
  link_->Send(MakeItem("next"), absl::InfiniteFuture(), outcomes_.Callback("next"));
  stage_.set_hold(false);
  ASSERT_TRUE(stage_.WaitHandled(2));
  stage_.CommitHeld();
  ASSERT_TRUE(outcomes_.Wait("next").has_value());
  EXPECT_EQ(outcomes_.Count("slow"), 1u);
}

// An item written on a stream that broke is not at the downstream any more,
// so a cancellation while the link reconnects must still withdraw it.
TEST_F(StreamLinkTest, CancelDuringReconnectWithdrawsItem) {
  StartServer(0);
  const int port = port_;
  CreateLink();
  StartLink();
  stage_.set_hold(true);
  link_->Send(MakeItem("a"), absl::InfiniteFuture(), outcomes_.Callback("a"));
  ASSERT_TRUE(stage_.WaitHandled(1));
  StopServer();
  stage_.FailHeld(absl::UnavailableError("server stopped"));
  stage_.set_hold(false);

  link_->Cancel("a");
  StartServer(port);

  std::optional<Result> result = outcomes_.Wait("a");
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status().code(), absl::StatusCode::kCancelled)
      << "the cancelled item was committed: " << result->status();
}

TEST_F(StreamLinkTest, ShutdownFailsPendingWithReason) {
  StartServer(0);
  CreateLink();
  link_->Start(&shutdown_);
  ASSERT_TRUE(link_->WaitConnected(absl::Now() + kWaitLimit));
  stage_.set_hold(true);
  link_->Send(MakeItem("a"), absl::InfiniteFuture(), outcomes_.Callback("a"));
  ASSERT_TRUE(stage_.WaitHandled(1));

  shutdown_.Cancel(absl::DeadlineExceededError("drain timed out"));
  std::optional<Result> result = outcomes_.Wait("a");
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status(), absl::DeadlineExceededError("drain timed out"));
  EXPECT_EQ(link_->pending(), 0u);
}

TEST_F(StreamLinkTest, ServerShutdownEndsStreams) {
  hop_server_.SetCancellation(&shutdown_);
  StartServer(0);
  CreateLink();
  StartLink();
  stage_.set_hold(true);
  link_->Send(MakeItem("a"), absl::InfiniteFuture(), outcomes_.Callback("a"));
  ASSERT_TRUE(stage_.WaitHandled(1));

  shutdown_.Cancel(absl::DeadlineExceededError("drain timed out"));
  ASSERT_TRUE(service_->WaitStreamsEnded(1));
  EXPECT_TRUE(service_->last_stream_cancelled());

  // The stage's late commit goes nowhere, because its stream has ended.
  stage_.CommitHeld();
  EXPECT_FALSE(outcomes_.Wait("a", absl::Milliseconds(100)).has_value());
}

TEST_F(StreamLinkTest, CancelBeforeSendStaysLocal) {
  CreateLink();  // never started, so nothing is written
  link_->Send(MakeItem("a"), absl::InfiniteFuture(), outcomes_.Callback("a"));
  link_->Cancel("a");

  std::optional<Result> result = outcomes_.Wait("a", absl::ZeroDuration());
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(link_->pending(), 0u);
}

TEST_F(StreamLinkTest, UnstartedCloseFailsPending) {
  CreateLink();
  link_->Send(MakeItem("a"), absl::InfiniteFuture(), outcomes_.Callback("a"));
  link_->Close(absl::Now());

  std::optional<Result> result = outcomes_.Wait("a", absl::ZeroDuration());
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace parley::pipeline
