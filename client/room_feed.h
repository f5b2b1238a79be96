#ifndef PARLEY_CLIENT_ROOM_FEED_H_
#define PARLEY_CLIENT_ROOM_FEED_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "parley/v1/chat.grpc.pb.h"

namespace parley::client {

// Live subscription to one room for the chat command. A thread owned by the
// feed prints each event to stdout in text form and records the highest
// message sequence seen, so the chat can wait for its own messages.
class RoomFeed {
 public:
  // `on_end` runs on the feed thread once the stream has ended for any
  // reason, including Cancel().
  RoomFeed(std::shared_ptr<grpc::Channel> channel, std::string room, std::function<void()> on_end);
  // Cancels the stream and joins the thread.
  ~RoomFeed();

  RoomFeed(const RoomFeed&) = delete;
  RoomFeed& operator=(const RoomFeed&) = delete;

  // Starts the subscription thread. Later calls do nothing.
  void Start();

  // Waits until the subscription request has been sent to the broadcaster
  // (the call waits for a connection), the stream has ended, or `deadline`.
  // Returns true only when the request was sent and the stream is still
  // open.
  bool WaitUntilSubscribed(std::chrono::steady_clock::time_point deadline);

  // Waits until a message with a sequence of at least `sequence` has been
  // printed, the stream has ended, or `deadline`. Returns whether the
  // message was seen.
  bool WaitUntilSeen(uint64_t sequence, std::chrono::steady_clock::time_point deadline);

  // Cancels the stream. Safe to call from any thread, also more than once.
  void Cancel();

  // Cancels the stream if it is still open and joins the thread.
  void Stop();

  // Returns the status the stream ended with. Call after Stop(). CANCELLED
  // after Cancel() is the normal end.
  grpc::Status status() const;

  // Whether Cancel() or Stop() ran before the stream ended by itself.
  bool cancelled() const;

  // Whether writing an event to stdout failed. Call after Stop().
  bool output_failed() const;

 private:
  void Run();

  const std::unique_ptr<parley::v1::Broadcaster::Stub> stub_;
  const std::string room_;
  const std::function<void()> on_end_;
  grpc::ClientContext context_;
  std::thread thread_;

  // std::mutex rather than absl::Mutex: ThreadSanitizer understands it
  // even when abseil itself is built without ThreadSanitizer, as Debian's is.
  mutable std::mutex mutex_;
  // Notified whenever one of the fields below changes.
  std::condition_variable changed_;
  // Fields guarded by mutex_:
  bool subscribed_ = false;
  bool ended_ = false;
  bool cancelled_ = false;
  uint64_t highest_sequence_seen_ = 0;
  grpc::Status status_;
  bool output_failed_ = false;
};

}  // namespace parley::client

#endif  // PARLEY_CLIENT_ROOM_FEED_H_
