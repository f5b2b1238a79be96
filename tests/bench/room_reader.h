#ifndef PARLEY_TESTS_BENCH_ROOM_READER_H_
#define PARLEY_TESTS_BENCH_ROOM_READER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "latency_sample.h"
#include "parley/v1/chat.grpc.pb.h"

namespace parley::bench {

// One Subscribe stream on its own thread that reads live messages of one
// room until it has `expected` of them or `timeout` passes, recording for
// each the time from its commit to its arrival here.
class RoomReader {
 public:
  RoomReader(const std::shared_ptr<grpc::Channel>& channel, std::string room, size_t expected,
             absl::Duration timeout, LatencySample* delivery)
      : stub_(v1::Broadcaster::NewStub(channel)),
        room_(std::move(room)),
        expected_(expected),
        delivery_(delivery) {
    context_.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    thread_ = std::thread([this] { Run(); });
  }

  ~RoomReader() {
    context_.TryCancel();
    Join();
  }

  // Waits until the reader has all it expected or its timeout passed, and
  // returns how many messages it received.
  size_t Join() {
    if (thread_.joinable()) thread_.join();
    return received_;
  }

 private:
  void Run() {
    v1::SubscribeRequest request;
    request.add_rooms(room_);
    auto stream = stub_->Subscribe(&context_, request);
    v1::Event event;
    while (received_ < expected_ && stream->Read(&event)) {
      if (!event.has_message()) continue;
      absl::Time committed = absl::FromUnixSeconds(event.message().commit_time().seconds()) +
                             absl::Nanoseconds(event.message().commit_time().nanos());
      delivery_->Add(absl::Now() - committed);
      ++received_;
    }
    context_.TryCancel();
    stream->Finish().IgnoreError();
  }

  std::unique_ptr<v1::Broadcaster::Stub> stub_;
  const std::string room_;
  const size_t expected_;
  LatencySample* const delivery_;
  grpc::ClientContext context_;
  size_t received_ = 0;  // written by the reader thread, read after Join
  std::thread thread_;
};

}  // namespace parley::bench

#endif  // PARLEY_TESTS_BENCH_ROOM_READER_H_
