// Broadcaster's History and Members calls, presence events, and the end of
// a half-open subscriber's presence, through the real binaries on loopback.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <iostream>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "chat_client.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "parley/base/mutex.h"
#include "parley/v1/chat.grpc.pb.h"
#include "service_stack.h"

namespace parley::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr absl::Duration kCallTimeout = absl::Seconds(10);

std::unique_ptr<v1::Broadcaster::Stub> BroadcasterStub(const std::string& address) {
  return v1::Broadcaster::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

grpc::Status CallHistory(v1::Broadcaster::Stub& stub, const std::string& room,
                         uint64_t before_sequence, uint32_t limit,
                         v1::HistoryResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kCallTimeout));
  v1::HistoryRequest request;
  request.set_room(room);
  request.set_before_sequence(before_sequence);
  request.set_limit(limit);
  return stub.History(&context, request, response);
}

std::vector<uint64_t> Sequences(const v1::HistoryResponse& response) {
  std::vector<uint64_t> sequences;
  for (const v1::ChatMessage& message : response.messages()) sequences.push_back(message.sequence());
  return sequences;
}

TEST(BroadcasterApi, HistoryPagesOldestFirst) {
  ServiceStack stack(std::map<std::string, std::string>{
      {"broadcaster", "history:\n  max_messages_per_room: 4"}});
  stack.StartAll();
  IntakeClient client(stack.intake_address());
  for (int i = 1; i <= 6; ++i) {
    auto reply = client.Send("lobby", "ann", absl::StrCat("hello ", i), absl::StrCat("h", i),
                             kCallTimeout);
    ASSERT_TRUE(reply.ok()) << reply.status();
  }
  auto stub = BroadcasterStub(stack.broadcaster_address());

  // History contains 3 to 6, and the default limit returns all of them.
  v1::HistoryResponse newest;
  grpc::Status status = CallHistory(*stub, "lobby", 0, 0, &newest);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(Sequences(newest), ElementsAre(3, 4, 5, 6));
  EXPECT_EQ(newest.first_available_sequence(), 3u);
  EXPECT_EQ(newest.messages(3).text(), "hello 6");
  EXPECT_EQ(newest.messages(3).sender(), "ann");

  v1::HistoryResponse page;
  status = CallHistory(*stub, "lobby", 6, 2, &page);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(Sequences(page), ElementsAre(4, 5));

  v1::HistoryResponse empty;
  status = CallHistory(*stub, "quiet", 0, 0, &empty);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(empty.messages_size(), 0);
  EXPECT_EQ(empty.first_available_sequence(), 0u);
}

TEST(BroadcasterApi, HistoryRejectsBadInput) {
  ServiceStack stack(std::map<std::string, std::string>{
      {"broadcaster", "history:\n  max_messages_per_room: 4"}});
  stack.Start("broadcaster");
  auto stub = BroadcasterStub(stack.broadcaster_address());

  v1::HistoryResponse response;
  grpc::Status too_many = CallHistory(*stub, "lobby", 0, 5, &response);
  EXPECT_EQ(too_many.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(too_many.error_message(), StartsWith("limit:"));
  EXPECT_THAT(too_many.error_message(), HasSubstr("maximum of 4"));

  grpc::Status bad_room = CallHistory(*stub, "no spaces", 0, 1, &response);
  EXPECT_EQ(bad_room.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad_room.error_message(), StartsWith("room:"));
}

// A Subscribe stream under a sender name that records presence events as
// "alice joined lobby" on a background thread.
class PresenceWatcher {
 public:
  PresenceWatcher(const std::string& address, const std::string& room, const std::string& sender)
      : stub_(BroadcasterStub(address)) {
    request_.add_rooms(room);
    request_.set_sender(sender);
    reader_ = stub_->Subscribe(&context_, request_);
    reader_->WaitForInitialMetadata();
    thread_ = std::thread([this] { Read(); });
  }

  ~PresenceWatcher() { Leave(); }

  // Cancels the stream and waits until it has ended.
  void Leave() {
    context_.TryCancel();
    if (thread_.joinable()) thread_.join();
  }

  // Blocks until `line` was recorded or `timeout` passes.
  bool WaitFor(const std::string& line, absl::Duration timeout) {
    parley::MutexLock lock(&mu_);
    auto seen = [this, &line]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return std::find(lines_.begin(), lines_.end(), line) != lines_.end();
    };
    return mu_.AwaitWithTimeout(seen, timeout);
  }

  std::vector<std::string> Lines() {
    parley::MutexLock lock(&mu_);
    return lines_;
  }

 private:
  void Read() {
    v1::Event event;
    while (reader_->Read(&event)) {
      if (!event.has_presence()) continue;
      const v1::Presence& presence = event.presence();
      bool joined = presence.change() == v1::Presence::CHANGE_JOINED;
      parley::MutexLock lock(&mu_);
      lines_.push_back(
          absl::StrCat(presence.sender(), joined ? " joined " : " left ", presence.room()));
    }
    reader_->Finish().IgnoreError();
  }

  std::unique_ptr<v1::Broadcaster::Stub> stub_;
  v1::SubscribeRequest request_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::Event>> reader_;
  parley::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// Returns the members of `room` as "sender xN".
std::vector<std::string> CallMembers(v1::Broadcaster::Stub& stub, const std::string& room) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kCallTimeout));
  v1::MembersRequest request;
  request.set_room(room);
  v1::MembersResponse response;
  grpc::Status status = stub.Members(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::vector<std::string> members;
  for (const v1::Member& member : response.members()) {
    EXPECT_GT(member.since().seconds(), 0) << member.sender();
    members.push_back(absl::StrCat(member.sender(), " x", member.subscriptions()));
  }
  return members;
}

// Polls Members until it returns `expected` or `timeout` passes, because a
// subscription registers and ends on the server after the client's call
// returns. Returns the last list.
std::vector<std::string> WaitForMembers(v1::Broadcaster::Stub& stub, const std::string& room,
                                        const std::vector<std::string>& expected,
                                        absl::Duration timeout) {
  absl::Time give_up = absl::Now() + timeout;
  std::vector<std::string> members = CallMembers(stub, room);
  while (members != expected && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
    members = CallMembers(stub, room);
  }
  return members;
}

TEST(BroadcasterApi, PresenceAndMembers) {
  ServiceStack stack;
  stack.Start("broadcaster");
  auto stub = BroadcasterStub(stack.broadcaster_address());
  EXPECT_TRUE(CallMembers(*stub, "lobby").empty());

  PresenceWatcher bob(stack.broadcaster_address(), "lobby", "bob");
  auto alice = std::make_unique<PresenceWatcher>(stack.broadcaster_address(), "lobby", "alice");
  ASSERT_TRUE(bob.WaitFor("alice joined lobby", absl::Seconds(20)));
  EXPECT_THAT(CallMembers(*stub, "lobby"), ElementsAre("alice x1", "bob x1"));

  // A second stream under the same name counts once.
  auto alice_again =
      std::make_unique<PresenceWatcher>(stack.broadcaster_address(), "lobby", "alice");
  EXPECT_THAT(WaitForMembers(*stub, "lobby", {"alice x2", "bob x1"}, absl::Seconds(20)),
              ElementsAre("alice x2", "bob x1"));
  alice->Leave();
  EXPECT_THAT(WaitForMembers(*stub, "lobby", {"alice x1", "bob x1"}, absl::Seconds(20)),
              ElementsAre("alice x1", "bob x1"));

  alice_again->Leave();
  ASSERT_TRUE(bob.WaitFor("alice left lobby", absl::Seconds(20)));
  EXPECT_THAT(bob.Lines(), ElementsAre("alice joined lobby", "alice left lobby"));
  EXPECT_TRUE(alice->Lines().empty()) << "alice gets no event for her own join";
  EXPECT_THAT(CallMembers(*stub, "lobby"), ElementsAre("bob x1"));
}

// A TCP proxy on 127.0.0.1 that forwards to `target_port` until Freeze.
// From then on it neither reads nor writes and keeps its sockets open, so
// both peers see a connection whose other end went silent, as when a
// client's host vanishes without a FIN.
class FreezableProxy {
 public:
  explicit FreezableProxy(int target_port) : target_port_(target_port) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = Loopback(0);
    socklen_t length = sizeof(address);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        listen(listen_fd_, 8) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "proxy cannot listen on 127.0.0.1";
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Run(); });
  }

  ~FreezableProxy() {
    stopping_.store(true);
    thread_.join();
    for (int fd : fds_) close(fd);
    close(listen_fd_);
  }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  void Freeze() { frozen_.store(true); }

 private:
  static sockaddr_in Loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  }

  // Polls with a short timeout so that Freeze and the destructor take
  // effect without a wake-up channel.
  void Run() {
    while (!stopping_.load()) {
      std::vector<pollfd> polled = {{listen_fd_, POLLIN, 0}};
      if (!frozen_.load()) {
        for (int fd : fds_) {
          if (!ended_.contains(fd)) polled.push_back({fd, POLLIN, 0});
        }
      }
      if (poll(polled.data(), polled.size(), 50) <= 0) continue;
      if (polled[0].revents & POLLIN) Accept();
      for (size_t i = 1; i < polled.size(); ++i) {
        if (polled[i].revents & (POLLIN | POLLHUP | POLLERR)) Forward(polled[i].fd);
      }
    }
  }

  void Accept() {
    int client = accept(listen_fd_, nullptr, nullptr);
    if (client < 0) return;
    int upstream = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in target = Loopback(target_port_);
    if (connect(upstream, reinterpret_cast<sockaddr*>(&target), sizeof(target)) != 0) {
      close(client);
      close(upstream);
      return;
    }
    peer_[client] = upstream;
    peer_[upstream] = client;
    fds_.push_back(client);
    fds_.push_back(upstream);
  }

  // Copies what `fd` has to its peer. After an end of stream or an error
  // the proxy stops polling `fd`, and the destructor closes it.
  void Forward(int fd) {
    char buffer[16384];
    ssize_t read_bytes = read(fd, buffer, sizeof(buffer));
    if (read_bytes <= 0) ended_.insert(fd);
    for (ssize_t written = 0; read_bytes > 0 && written < read_bytes;) {
      ssize_t step = write(peer_[fd], buffer + written, static_cast<size_t>(read_bytes - written));
      if (step <= 0) return;
      written += step;
    }
  }

  const int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> frozen_{false};
  std::atomic<bool> stopping_{false};
  // Used by the proxy thread only, and by the destructor after the join.
  std::vector<int> fds_;
  std::map<int, int> peer_;
  std::set<int> ended_;
  std::thread thread_;
};

TEST(BroadcasterApi, KeepaliveEndsHalfOpenSubscriber) {
  ServiceStack stack;
  stack.SetServerYaml("broadcaster", "  keepalive_time: 1s\n  keepalive_timeout: 1s");
  stack.Start("broadcaster");
  auto stub = BroadcasterStub(stack.broadcaster_address());

  PresenceWatcher bob(stack.broadcaster_address(), "lobby", "bob");
  FreezableProxy proxy(stack.service("broadcaster").grpc_port);
  PresenceWatcher alice(proxy.address(), "lobby", "alice");
  ASSERT_TRUE(bob.WaitFor("alice joined lobby", absl::Seconds(20)));

  // Past a few keepalive rounds, so the check does not rest on the first
  // ping only.
  EXPECT_FALSE(bob.WaitFor("alice left lobby", absl::Seconds(3)))
      << "a connection that acks its pings stays open";
  proxy.Freeze();
  absl::Time frozen = absl::Now();
  ASSERT_TRUE(bob.WaitFor("alice left lobby", absl::Seconds(30)))
      << "keepalive did not end the half-open subscription";
  std::cout << "half-open subscriber left after " << absl::Now() - frozen << "\n";
  EXPECT_THAT(CallMembers(*stub, "lobby"), ElementsAre("bob x1"));
}

TEST(BroadcasterApi, SubscribeRejectsBadSender) {
  ServiceStack stack;
  stack.Start("broadcaster");
  auto stub = BroadcasterStub(stack.broadcaster_address());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + kCallTimeout));
  v1::SubscribeRequest request;
  request.add_rooms("lobby");
  request.set_sender("a/b");
  auto reader = stub->Subscribe(&context, request);
  v1::Event event;
  EXPECT_FALSE(reader->Read(&event));
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), StartsWith("sender:"));

  v1::MembersRequest members_request;
  members_request.set_room("bad room");
  v1::MembersResponse members;
  grpc::ClientContext members_context;
  grpc::Status bad_room = stub->Members(&members_context, members_request, &members);
  EXPECT_EQ(bad_room.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad_room.error_message(), StartsWith("room:"));
}

}  // namespace
}  // namespace parley::testing
