#include "resuming_subscription.h"

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "channel.h"
#include "gtest/gtest.h"
#include "parley/base/mutex.h"

namespace parley::client {
namespace {

// What one Subscribe call of the fake does: the messages it streams to
// room "lobby", then the status it ends with.
struct Script {
  std::vector<uint64_t> sequences;
  grpc::Status ending;
};

// A broadcaster that plays one script per Subscribe call and records the
// requests. A call beyond the scripts ends with FAILED_PRECONDITION.
class ScriptedBroadcaster final : public parley::v1::Broadcaster::Service {
 public:
  explicit ScriptedBroadcaster(std::vector<Script> scripts) : scripts_(std::move(scripts)) {}

  grpc::Status Subscribe(grpc::ServerContext*, const parley::v1::SubscribeRequest* request,
                         grpc::ServerWriter<parley::v1::Event>* writer) override {
    Script script{.ending = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "no script")};
    {
      parley::MutexLock lock(&mu_);
      if (requests_.size() < scripts_.size()) script = scripts_[requests_.size()];
      requests_.push_back(*request);
    }
    for (const uint64_t sequence : script.sequences) {
      parley::v1::Event event;
      event.mutable_message()->set_room("lobby");
      event.mutable_message()->set_sequence(sequence);
      if (!writer->Write(event)) break;
    }
    return script.ending;
  }

  std::vector<parley::v1::SubscribeRequest> requests() const {
    parley::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  const std::vector<Script> scripts_;
  mutable parley::Mutex mu_;
  std::vector<parley::v1::SubscribeRequest> requests_ ABSL_GUARDED_BY(mu_);
};

// Records the updates a subscription hands out, as short strings.
class UpdateLog {
 public:
  bool Record(const SubscriptionUpdate& update) {
    std::string entry;
    if (const auto* event = std::get_if<parley::v1::Event>(&update)) {
      entry = "message " + std::to_string(event->message().sequence());
    } else if (const auto* lost = std::get_if<ConnectionLost>(&update)) {
      entry = "lost " + std::to_string(lost->status.error_code());
    } else {
      const auto& reconnected = std::get<Reconnected>(update);
      entry = "reconnected " + std::to_string(reconnected.attempts) + " lobby@" +
              std::to_string(reconnected.resume_from.at("lobby"));
    }
    parley::MutexLock lock(&mu_);
    entries_.push_back(entry);
    return true;
  }

  std::vector<std::string> entries() const {
    parley::MutexLock lock(&mu_);
    return entries_;
  }

  // Waits until `count` updates have been recorded.
  bool WaitForEntries(size_t count, absl::Duration timeout) {
    parley::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(
        [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return entries_.size() >= count; },
        timeout);
  }

 private:
  mutable parley::Mutex mu_;
  std::vector<std::string> entries_ ABSL_GUARDED_BY(mu_);
};

class ResumingSubscriptionTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<Script> scripts) {
    service_ = std::make_unique<ScriptedBroadcaster>(std::move(scripts));
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }

  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }

  // Runs a subscription to "lobby" until it ends by itself.
  grpc::Status RunToEnd(bool resume) {
    ResumingSubscription subscription(
        CreateClientChannel("127.0.0.1:" + std::to_string(port_)),
        SubscriptionOptions{.rooms = {"lobby"},
                            .sender = "ann",
                            .resume = resume,
                            .backoff = {.initial = absl::Milliseconds(1),
                                        .max = absl::Milliseconds(20)}},
        [this](const SubscriptionUpdate& update) { return log_.Record(update); });
    subscription.Start();
    subscription.Join();
    EXPECT_FALSE(subscription.cancelled());
    return subscription.status();
  }

  std::unique_ptr<ScriptedBroadcaster> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  UpdateLog log_;
};

const grpc::Status kUnavailable(grpc::StatusCode::UNAVAILABLE, "broadcaster is shutting down");

TEST_F(ResumingSubscriptionTest, ResumesAfterLastSequenceSeen) {
  StartServer({{.sequences = {1, 2}, .ending = kUnavailable},
               {.sequences = {3}, .ending = grpc::Status::OK}});

  EXPECT_TRUE(RunToEnd(/*resume=*/true).ok());

  EXPECT_EQ(log_.entries(),
            (std::vector<std::string>{"message 1", "message 2", "lost 14", "reconnected 1 lobby@3",
                                      "message 3"}));
  const std::vector<parley::v1::SubscribeRequest> requests = service_->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_TRUE(requests[0].room_from_sequence().empty());
  EXPECT_EQ(requests[0].sender(), "ann");
  EXPECT_EQ(requests[1].room_from_sequence().at("lobby"), 3u);
  EXPECT_EQ(requests[1].sender(), "ann");
}

TEST_F(ResumingSubscriptionTest, ReportsEachFailedStream) {
  // Each call is accepted by the server and then fails, so each one is a
  // new loss followed by a reconnect, and each resumes at the same place.
  StartServer({{.sequences = {4}, .ending = kUnavailable},
               {.sequences = {}, .ending = kUnavailable},
               {.sequences = {}, .ending = kUnavailable},
               {.sequences = {5}, .ending = grpc::Status::OK}});

  EXPECT_TRUE(RunToEnd(/*resume=*/true).ok());

  EXPECT_EQ(log_.entries(),
            (std::vector<std::string>{"message 4", "lost 14", "reconnected 1 lobby@5", "lost 14",
                                      "reconnected 1 lobby@5", "lost 14", "reconnected 1 lobby@5",
                                      "message 5"}));
  const std::vector<parley::v1::SubscribeRequest> requests = service_->requests();
  ASSERT_EQ(requests.size(), 4u);
  for (size_t i = 1; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i].room_from_sequence().at("lobby"), 5u) << "request " << i;
  }
}

TEST_F(ResumingSubscriptionTest, StopsOnNonRetryableStatus) {
  StartServer({{.sequences = {1},
                .ending = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad room")}});

  const grpc::Status status = RunToEnd(/*resume=*/true);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(log_.entries(), std::vector<std::string>{"message 1"});
  EXPECT_EQ(service_->requests().size(), 1u);
}

TEST_F(ResumingSubscriptionTest, NoResumeEndsOnFirstFailure) {
  StartServer({{.sequences = {1}, .ending = kUnavailable}});

  const grpc::Status status = RunToEnd(/*resume=*/false);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(log_.entries(), std::vector<std::string>{"message 1"});
  EXPECT_EQ(service_->requests().size(), 1u);
}

TEST_F(ResumingSubscriptionTest, FirstStreamFailureIsNotRetried) {
  // A port that was just released: nothing listens there.
  StartServer({});
  server_->Shutdown();
  server_.reset();

  const grpc::Status status = RunToEnd(/*resume=*/true);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(log_.entries().empty());
}

TEST_F(ResumingSubscriptionTest, CancelEndsPauseBeforeRetry) {
  constexpr absl::Duration kYear = absl::Hours(24 * 365);
  StartServer({{.sequences = {1}, .ending = kUnavailable}});
  ResumingSubscription subscription(
      CreateClientChannel("127.0.0.1:" + std::to_string(port_)),
      SubscriptionOptions{.rooms = {"lobby"},
                          .backoff = {.initial = kYear, .max = kYear}},
      [this](const SubscriptionUpdate& update) { return log_.Record(update); });
  subscription.Start();
  // Backoff draws the first pause from [0, 1 year]: wait for the loss
  // report, then Stop() must end the pause at once rather than after it.
  ASSERT_TRUE(log_.WaitForEntries(2, absl::Seconds(30)));
  EXPECT_EQ(log_.entries(), (std::vector<std::string>{"message 1", "lost 14"}));
  const absl::Time before_stop = absl::Now();
  subscription.Stop();
  EXPECT_LT(absl::Now() - before_stop, absl::Seconds(30));
  EXPECT_TRUE(subscription.cancelled());
}

TEST(IsRetryableStreamStatus, SortsCodes) {
  for (const grpc::StatusCode code :
       {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::RESOURCE_EXHAUSTED,
        grpc::StatusCode::ABORTED, grpc::StatusCode::DEADLINE_EXCEEDED,
        grpc::StatusCode::CANCELLED, grpc::StatusCode::UNKNOWN, grpc::StatusCode::INTERNAL}) {
    EXPECT_TRUE(IsRetryableStreamStatus(grpc::Status(code, ""))) << code;
  }
  for (const grpc::StatusCode code :
       {grpc::StatusCode::OK, grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::NOT_FOUND,
        grpc::StatusCode::PERMISSION_DENIED, grpc::StatusCode::UNIMPLEMENTED,
        grpc::StatusCode::UNAUTHENTICATED, grpc::StatusCode::FAILED_PRECONDITION}) {
    EXPECT_FALSE(IsRetryableStreamStatus(grpc::Status(code, ""))) << code;
  }
}

}  // namespace
}  // namespace parley::client
