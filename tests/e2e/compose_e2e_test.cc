// End-to-end cases against a running Parley stack: clients on the host
// reach intake and broadcaster through their published ports while the
// cases stop, kill, restart and cut off the containers with docker compose.
//
// tests/e2e/run.sh starts the compose stack and runs this binary. The
// cases that drive Docker skip themselves when PARLEY_E2E_COMPOSE_PROJECT
// is unset, so the rest also run against the native stack of
// deploy/up.sh: PARLEY_INTAKE, PARLEY_BROADCASTER and PARLEY_PROMETHEUS
// name the endpoints.
//
// The stack outlives each case, so every case uses rooms and senders of
// its own, and its TearDown starts whatever the case stopped and waits
// until every service is healthy again.

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "chat_client.h"
#include "compose_stack.h"
#include "delivery_check.h"
#include "traffic.h"
#include "gtest/gtest.h"
#include "http_get.h"

namespace parley::testing {
namespace {

const std::vector<std::string> kParleyServices = {"broadcaster", "processor", "intake"};
const std::vector<std::string> kAllServices = {"broadcaster", "processor", "intake",
                                               "prometheus"};

// Longer than server.drain_timeout + server.shutdown_grace (12 s), like the
// stop_grace_period in docker-compose.yml.
constexpr int kStopTimeoutSeconds = 20;
constexpr absl::Duration kHealthTimeout = absl::Seconds(90);
// How long a sender keeps retrying one message while a service is down.
constexpr absl::Duration kRetryFor = absl::Seconds(90);
constexpr int kSenders = 3;
constexpr size_t kMessagesPerPhase = 100;
constexpr absl::Duration kPhaseTimeout = absl::Seconds(90);
constexpr absl::Duration kCatchUpTimeout = absl::Seconds(30);

// A short tag that keeps rooms and senders apart between runs against the
// same long-lived stack (processor remembers ids for ten minutes).
const std::string& RunTag() {
  static const std::string tag = [] {
    const char* from_env = std::getenv("PARLEY_E2E_RUN_ID");
    if (from_env != nullptr && *from_env != '\0') return std::string(from_env);
    absl::BitGen random;
    return absl::StrFormat("%06x", absl::Uniform<uint32_t>(random, 0, 1u << 24));
  }();
  return tag;
}

// Room name unique to this run and case; at most 64 bytes with the
// default limits.room_max_bytes.
std::string RoomName(const std::string& scenario, const std::string& name) {
  return absl::StrCat(scenario, "-", RunTag(), "-", name);
}

// Sender name prefix unique to this run and case; Traffic appends
// "-sN", and limits.sender_max_bytes is 32 by default.
std::string SenderPrefix(const std::string& scenario) {
  return absl::StrCat(scenario.substr(0, 16), "-", RunTag());
}

uint64_t MaxAcknowledged(const std::vector<Acknowledged>& acknowledged, const std::string& room) {
  uint64_t max = 0;
  for (const Acknowledged& ack : acknowledged) {
    if (ack.room == room) max = std::max(max, ack.sequence);
  }
  return max;
}

// Waits until `subscriber` has received, in every room, a sequence at least
// as high as the highest acknowledged one.
bool WaitCaughtUp(RecordingSubscriber& subscriber, const std::vector<std::string>& rooms,
                  const std::vector<Acknowledged>& acknowledged, absl::Duration timeout) {
  absl::Time give_up = absl::Now() + timeout;
  for (const std::string& room : rooms) {
    uint64_t target = MaxAcknowledged(acknowledged, room);
    while (true) {
      std::vector<v1::ChatMessage> messages = subscriber.Messages(room);
      if (target == 0 || (!messages.empty() && messages.back().sequence() >= target)) break;
      if (absl::Now() >= give_up) return false;
      subscriber.WaitForMessages(room, messages.size() + 1, absl::Milliseconds(200));
    }
  }
  return true;
}

// A retry committed twice shows up as one message id under two sequence
// numbers.
void ExpectEachIdOnce(const RecordingSubscriber& subscriber, const std::string& room,
                      const std::string& who) {
  std::map<std::string, uint64_t> sequence_of;
  for (const v1::ChatMessage& message : subscriber.Messages(room)) {
    auto [it, inserted] = sequence_of.emplace(message.message_id(), message.sequence());
    EXPECT_TRUE(inserted || it->second == message.sequence())
        << who << " in " << room << ": message " << message.message_id()
        << " was committed twice, as #" << it->second << " and #" << message.sequence();
  }
}

// Counts the "drained in" lines that a service logs once per graceful
// shutdown. The logs of a container cover all its starts.
int CountDrains(const std::string& logs) {
  int count = 0;
  for (size_t at = logs.find("drained in"); at != std::string::npos;
       at = logs.find("drained in", at + 1)) {
    ++count;
  }
  return count;
}

// Checks the acknowledgements themselves: no two requests got the same
// room sequence, and no message id was acknowledged under two sequences.
void ExpectDistinctAcknowledgements(const std::vector<SentMessage>& sent) {
  std::map<std::pair<std::string, uint64_t>, std::string> by_sequence;
  std::map<std::string, uint64_t> by_id;
  for (const SentMessage& message : sent) {
    auto [at, inserted] =
        by_sequence.emplace(std::make_pair(message.ack.room, message.ack.sequence),
                            message.ack.message_id);
    EXPECT_TRUE(inserted) << message.ack.room << "#" << message.ack.sequence
                          << " acknowledged for both " << at->second << " and "
                          << message.ack.message_id;
    auto [id_at, id_inserted] = by_id.emplace(message.ack.message_id, message.ack.sequence);
    EXPECT_TRUE(id_inserted) << message.ack.message_id << " acknowledged twice";
  }
}

// Subscribers and senders around one disruption of the stack: a subscriber
// of the first room and one of every room, both resuming by sequence after
// a broken stream, and kSenders senders that retry by id.
class TrafficScenario {
 public:
  TrafficScenario(const Endpoints& endpoints, const std::string& name)
      : rooms_({RoomName(name, "a"), RoomName(name, "b")}),
        first_room_(endpoints.broadcaster, {rooms_[0]}),
        all_rooms_(endpoints.broadcaster, rooms_),
        intake_(endpoints.intake),
        sender_prefix_(SenderPrefix(name)) {}

  // Subscribes, starts the senders and waits for the first messages.
  void Start() {
    ASSERT_TRUE(first_room_.WaitSubscribed(absl::Seconds(30))) << "cannot subscribe";
    ASSERT_TRUE(all_rooms_.WaitSubscribed(absl::Seconds(30))) << "cannot subscribe";
    traffic_ = std::make_unique<Traffic>(intake_, rooms_, kSenders, kRetryFor, sender_prefix_);
    ASSERT_TRUE(traffic_->WaitForMore(kMessagesPerPhase, kPhaseTimeout))
        << "no traffic before the disruption: " << Failures();
  }

  // Waits until the senders got more messages through after the disruption.
  void ExpectTrafficResumes() {
    ASSERT_TRUE(traffic_->WaitForMore(kMessagesPerPhase, kPhaseTimeout))
        << "traffic did not resume: " << Failures();
  }

  // Stops the senders and checks that each acknowledged message reached
  // each subscriber of its room once, in order, with nothing committed
  // twice.
  void StopAndCheckDelivery() {
    traffic_->Stop();
    EXPECT_TRUE(traffic_->failures().empty()) << Failures();

    std::vector<SentMessage> sent = traffic_->sent();
    std::vector<Acknowledged> acknowledged = traffic_->acknowledged();
    ASSERT_GE(acknowledged.size(), 2 * kMessagesPerPhase);
    ExpectDistinctAcknowledgements(sent);

    EXPECT_TRUE(WaitCaughtUp(first_room_, {rooms_[0]}, acknowledged, kCatchUpTimeout))
        << "subscriber of one room did not catch up";
    EXPECT_TRUE(WaitCaughtUp(all_rooms_, rooms_, acknowledged, kCatchUpTimeout))
        << "subscriber of every room did not catch up";

    ExpectDelivered(first_room_, rooms_[0], acknowledged, "subscriber of one room");
    ExpectEachIdOnce(first_room_, rooms_[0], "subscriber of one room");
    for (const std::string& room : rooms_) {
      ExpectDelivered(all_rooms_, room, acknowledged, "subscriber of every room");
      ExpectEachIdOnce(all_rooms_, room, "subscriber of every room");
    }
    EXPECT_TRUE(first_room_.Gaps().empty()) << "history gap for the subscriber of one room";
    EXPECT_TRUE(all_rooms_.Gaps().empty()) << "history gap for the subscriber of every room";
  }

 private:
  std::string Failures() const {
    if (traffic_ == nullptr) return "";
    std::vector<std::string> failures = traffic_->failures();
    if (failures.size() > 5) failures.resize(5);
    return absl::StrJoin(failures, "; ");
  }

  const std::vector<std::string> rooms_;
  RecordingSubscriber first_room_;
  RecordingSubscriber all_rooms_;
  const std::string intake_;
  const std::string sender_prefix_;
  std::unique_ptr<Traffic> traffic_;
};

class StackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    endpoints_ = EndpointsFromEnvironment();
    stack_ = ComposeStack::FromEnvironment();
    if (stack_.has_value()) {
      std::string unhealthy = stack_->WaitHealthy(kAllServices, kHealthTimeout);
      ASSERT_EQ(unhealthy, "") << "the stack is not healthy before the case";
    }
  }

  // Undoes what a case may have left behind, also after a failed
  // assertion: reattaches the broadcaster, starts stopped services and
  // waits until all are healthy.
  void TearDown() override {
    if (!stack_.has_value()) return;
    if (broadcaster_detached_) {
      ConnectBroadcaster();
    }
    CommandResult start = stack_->Compose({"start"}, absl::Seconds(120));
    EXPECT_EQ(start.exit_code, 0) << start.output;
    std::string unhealthy = stack_->WaitHealthy(kAllServices, kHealthTimeout);
    EXPECT_EQ(unhealthy, "") << "the stack did not recover after the case";
  }

  // Runs a compose subcommand and fails the case unless it exits 0.
  void ComposeOrFail(const std::vector<std::string>& args,
                     absl::Duration timeout = absl::Seconds(60)) {
    CommandResult result = stack_->Compose(args, timeout);
    ASSERT_EQ(result.exit_code, 0) << absl::StrJoin(args, " ") << ":\n" << result.output;
  }

  void WaitHealthyOrFail(const std::string& service) {
    std::string unhealthy = stack_->WaitHealthy({service}, kHealthTimeout);
    ASSERT_EQ(unhealthy, "") << service << " did not become healthy:\n"
                             << stack_->Logs(service);
  }

  void DisconnectBroadcaster() {
    std::string id = stack_->ContainerId("broadcaster");
    CommandResult result = RunCommand(
        {"docker", "network", "disconnect", stack_->NetworkName(), id}, absl::Seconds(30));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    broadcaster_detached_ = true;
  }

  // Reattaches the broadcaster under its service name, which processor
  // resolves.
  void ConnectBroadcaster() {
    std::string id = stack_->ContainerId("broadcaster");
    CommandResult result =
        RunCommand({"docker", "network", "connect", "--alias", "broadcaster",
                    stack_->NetworkName(), id},
                   absl::Seconds(30));
    EXPECT_EQ(result.exit_code, 0) << result.output;
    if (result.exit_code == 0) broadcaster_detached_ = false;
  }

  Endpoints endpoints_;
  std::optional<ComposeStack> stack_;
  bool broadcaster_detached_ = false;
};

#define SKIP_WITHOUT_COMPOSE()                                                          \
  if (!stack_.has_value()) {                                                            \
    GTEST_SKIP() << "needs the compose stack: set PARLEY_E2E_COMPOSE_PROJECT or run " \
                    "tests/e2e/run.sh";                                                 \
  }

TEST_F(StackTest, MultiRoomChatThroughPublishedPorts) {
  const std::vector<std::string> rooms = {RoomName("chat", "lobby"), RoomName("chat", "dev"),
                                          RoomName("chat", "ops")};
  RecordingSubscriber lobby(endpoints_.broadcaster, {rooms[0]});
  RecordingSubscriber lobby_and_dev(endpoints_.broadcaster, {rooms[0], rooms[1]});
  RecordingSubscriber everything(endpoints_.broadcaster, rooms);
  ASSERT_TRUE(lobby.WaitSubscribed(absl::Seconds(30)));
  ASSERT_TRUE(lobby_and_dev.WaitSubscribed(absl::Seconds(30)));
  ASSERT_TRUE(everything.WaitSubscribed(absl::Seconds(30)));

  constexpr int kMessagesPerSender = 20;
  const std::vector<std::string> senders = {SenderPrefix("chat") + "-alice",
                                            SenderPrefix("chat") + "-bob"};
  IntakeClient client(endpoints_.intake);
  std::vector<Acknowledged> acknowledged;
  std::map<std::string, uint64_t> count_per_room;
  for (int i = 0; i < kMessagesPerSender; ++i) {
    for (size_t s = 0; s < senders.size(); ++s) {
      const std::string& room = rooms[(i + s) % rooms.size()];
      auto reply = client.Send(room, senders[s], absl::StrCat("hello ", i),
                               absl::StrCat("c", i), absl::Seconds(10));
      ASSERT_TRUE(reply.ok()) << reply.status();
      EXPECT_EQ(reply->room(), room);
      // Fresh rooms: sequences count up from 1 without holes.
      EXPECT_EQ(reply->sequence(), ++count_per_room[room]) << room;
      acknowledged.push_back({reply->room(), reply->sequence(), reply->message_id()});
    }
  }

  // A retry with the same id returns the original message.
  auto retry = client.Send(rooms[0], senders[0], "hello 0", "c0", absl::Seconds(10));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->sequence(), 1u);
  EXPECT_EQ(retry->message_id(), acknowledged.front().message_id);

  ASSERT_TRUE(WaitCaughtUp(lobby, {rooms[0]}, acknowledged, kCatchUpTimeout));
  ASSERT_TRUE(WaitCaughtUp(lobby_and_dev, {rooms[0], rooms[1]}, acknowledged, kCatchUpTimeout));
  ASSERT_TRUE(WaitCaughtUp(everything, rooms, acknowledged, kCatchUpTimeout));
  ExpectDelivered(lobby, rooms[0], acknowledged, "lobby subscriber");
  ExpectDelivered(lobby_and_dev, rooms[0], acknowledged, "lobby+dev subscriber");
  ExpectDelivered(lobby_and_dev, rooms[1], acknowledged, "lobby+dev subscriber");
  for (const std::string& room : rooms) {
    ExpectDelivered(everything, room, acknowledged, "subscriber of every room");
    EXPECT_EQ(everything.Messages(room).size(), count_per_room[room]) << room;
  }

  // No subscriber receives messages of a room it did not subscribe to.
  EXPECT_TRUE(lobby.Messages(rooms[1]).empty());
  EXPECT_TRUE(lobby.Messages(rooms[2]).empty());
  EXPECT_TRUE(lobby_and_dev.Messages(rooms[2]).empty());

  // Text and sender arrive as sent.
  std::vector<v1::ChatMessage> lobby_messages = lobby.Messages(rooms[0]);
  ASSERT_FALSE(lobby_messages.empty());
  EXPECT_EQ(lobby_messages.front().sender(), senders[0]);
  EXPECT_EQ(lobby_messages.front().text(), "hello 0");
}

TEST_F(StackTest, CliSendReachesSubscriber) {
  if (endpoints_.cli.empty() || access(endpoints_.cli.c_str(), X_OK) != 0) {
    GTEST_SKIP() << "PARLEY_CLI does not name an executable parley binary";
  }
  for (const std::string& target : {endpoints_.intake, endpoints_.broadcaster}) {
    CommandResult health =
        RunCommand({endpoints_.cli, "health", "--target", target}, absl::Seconds(30));
    EXPECT_EQ(health.exit_code, 0) << target << ": " << health.output;
  }

  const std::string room = RoomName("cli", "lobby");
  RecordingSubscriber subscriber(endpoints_.broadcaster, {room});
  ASSERT_TRUE(subscriber.WaitSubscribed(absl::Seconds(30)));
  CommandResult send = RunCommand({endpoints_.cli, "--intake", endpoints_.intake, "send",
                                   "--room", room, "--sender", SenderPrefix("cli"), "--id",
                                   "first", "hello from the CLI"},
                                  absl::Seconds(30));
  ASSERT_EQ(send.exit_code, 0) << send.output;

  ASSERT_TRUE(subscriber.WaitForMessages(room, 1, kCatchUpTimeout));
  std::vector<v1::ChatMessage> messages = subscriber.Messages(room);
  EXPECT_EQ(messages.front().text(), "hello from the CLI");
  EXPECT_EQ(messages.front().sender(), SenderPrefix("cli"));
}

TEST_F(StackTest, PrometheusScrapesEveryService) {
  // up{job=~"intake|processor|broadcaster"}: one scrape job per service, as
  // in deploy/prometheus/prometheus-compose.yml and prometheus.yml.
  const std::string query =
      "/api/v1/query?query=up%7Bjob%3D~%22intake%7Cprocessor%7Cbroadcaster%22%7D";
  absl::StatusOr<std::string> first = HttpGet(endpoints_.prometheus, query, absl::Seconds(10));
  if (!stack_.has_value() && !first.ok()) {
    GTEST_SKIP() << "no Prometheus at " << endpoints_.prometheus << ": " << first.status();
  }

  // Prometheus scrapes every 5 s, so a target that just restarted may still
  // read 0 for a moment.
  absl::Time give_up = absl::Now() + absl::Seconds(60);
  std::string last_body;
  std::set<std::string> up;
  while (absl::Now() < give_up) {
    absl::StatusOr<std::string> body = HttpGet(endpoints_.prometheus, query, absl::Seconds(10));
    if (body.ok()) {
      last_body = *body;
      up.clear();
      // Each result reads {"metric":{...,"job":"NAME"},"value":[TIME,"1"]}.
      for (const std::string& service : kParleyServices) {
        size_t at = body->find(absl::StrCat("\"job\":\"", service, "\""));
        if (at == std::string::npos) continue;
        size_t value = body->find("\"value\":[", at);
        size_t end = body->find(']', value);
        if (value != std::string::npos && end != std::string::npos &&
            absl::EndsWith(body->substr(value, end - value), ",\"1\"")) {
          up.insert(service);
        }
      }
      if (up.size() == kParleyServices.size()) break;
    } else {
      last_body = body.status().ToString();
    }
    absl::SleepFor(absl::Seconds(1));
  }
  for (const std::string& service : kParleyServices) {
    EXPECT_TRUE(up.contains(service)) << service << " is not up in Prometheus: " << last_body;
  }
}

class StopUnderTraffic : public StackTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(StopUnderTraffic, ExitsZeroAndLosesNothing) {
  SKIP_WITHOUT_COMPOSE();
  const std::string service = GetParam();
  TrafficScenario scenario(endpoints_, "stop-" + service);
  ASSERT_NO_FATAL_FAILURE(scenario.Start());

  const int drains_before = CountDrains(stack_->Logs(service));
  ComposeOrFail({"stop", "-t", std::to_string(kStopTimeoutSeconds), service},
                absl::Seconds(kStopTimeoutSeconds + 30));
  std::optional<int> exit_code = stack_->ExitCode(service);
  ASSERT_TRUE(exit_code.has_value()) << "no exit code for " << service;
  EXPECT_EQ(*exit_code, 0) << stack_->Compose({"ps", "-a"}).output << stack_->Logs(service);
  EXPECT_EQ(CountDrains(stack_->Logs(service)), drains_before + 1) << stack_->Logs(service);

  ComposeOrFail({"start", service});
  ASSERT_NO_FATAL_FAILURE(WaitHealthyOrFail(service));
  ASSERT_NO_FATAL_FAILURE(scenario.ExpectTrafficResumes());
  scenario.StopAndCheckDelivery();
}

INSTANTIATE_TEST_SUITE_P(EachService, StopUnderTraffic,
                         ::testing::Values("intake", "processor", "broadcaster"),
                         [](const auto& info) { return info.param; });

class KillAndStart : public StackTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(KillAndStart, RecoversWithoutDuplicates) {
  SKIP_WITHOUT_COMPOSE();
  const std::string service = GetParam();
  TrafficScenario scenario(endpoints_, "kill-" + service);
  ASSERT_NO_FATAL_FAILURE(scenario.Start());

  ComposeOrFail({"kill", service});
  std::optional<int> exit_code = stack_->ExitCode(service);
  ASSERT_TRUE(exit_code.has_value()) << "no exit code for " << service;
  EXPECT_EQ(*exit_code, 137) << "SIGKILL should end " << service;

  ComposeOrFail({"start", service});
  ASSERT_NO_FATAL_FAILURE(WaitHealthyOrFail(service));
  ASSERT_NO_FATAL_FAILURE(scenario.ExpectTrafficResumes());
  scenario.StopAndCheckDelivery();
}

INSTANTIATE_TEST_SUITE_P(EachStatefulService, KillAndStart,
                         ::testing::Values("processor", "broadcaster"),
                         [](const auto& info) { return info.param; });

TEST_F(StackTest, BroadcasterNetworkCutLosesNothing) {
  SKIP_WITHOUT_COMPOSE();
  TrafficScenario scenario(endpoints_, "netcut");
  ASSERT_NO_FATAL_FAILURE(scenario.Start());

  ASSERT_NO_FATAL_FAILURE(DisconnectBroadcaster());
  // The outage itself: the broadcaster stays cut off from processor and
  // from the published port for this long.
  absl::SleepFor(absl::Seconds(5));
  ConnectBroadcaster();
  ASSERT_FALSE(broadcaster_detached_) << "cannot reattach the broadcaster";

  ASSERT_NO_FATAL_FAILURE(WaitHealthyOrFail("broadcaster"));
  ASSERT_NO_FATAL_FAILURE(scenario.ExpectTrafficResumes());
  scenario.StopAndCheckDelivery();
}

TEST_F(StackTest, IntakeRestartWithRetriesById) {
  SKIP_WITHOUT_COMPOSE();
  TrafficScenario scenario(endpoints_, "restart-intake");
  ASSERT_NO_FATAL_FAILURE(scenario.Start());

  const int drains_before = CountDrains(stack_->Logs("intake"));
  ComposeOrFail({"restart", "-t", std::to_string(kStopTimeoutSeconds), "intake"},
                absl::Seconds(kStopTimeoutSeconds + 60));
  EXPECT_EQ(CountDrains(stack_->Logs("intake")), drains_before + 1) << stack_->Logs("intake");

  ASSERT_NO_FATAL_FAILURE(WaitHealthyOrFail("intake"));
  ASSERT_NO_FATAL_FAILURE(scenario.ExpectTrafficResumes());
  scenario.StopAndCheckDelivery();
}

}  // namespace
}  // namespace parley::testing
