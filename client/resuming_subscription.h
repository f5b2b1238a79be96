#ifndef PARLEY_CLIENT_RESUMING_SUBSCRIPTION_H_
#define PARLEY_CLIENT_RESUMING_SUBSCRIPTION_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "parley/base/backoff.h"
#include "parley/base/mutex.h"
#include "parley/v1/chat.grpc.pb.h"
#include "subscription_update.h"

namespace parley::client {

struct SubscriptionOptions {
  std::vector<std::string> rooms;
  // First sequence to deliver in every room; 0 means live events only.
  uint64_t from_sequence = 0;
  // Name to subscribe under, so that others see presence events; empty
  // means an anonymous reader.
  std::string sender;
  // Whether a stream that fails with a retryable status is reopened.
  bool resume = true;
  // Whether the first Subscribe call waits for a connection to broadcaster
  // instead of failing at once with UNAVAILABLE.
  bool wait_for_first_connection = false;
  BackoffPolicy backoff;
};

// Returns whether a stream that ended with `status` is worth reopening:
// UNAVAILABLE, RESOURCE_EXHAUSTED (a subscriber that fell behind),
// ABORTED, DEADLINE_EXCEEDED, CANCELLED by the server, and UNKNOWN and
// INTERNAL, which gRPC reports for some connection resets.
bool IsRetryableStreamStatus(const grpc::Status& status);

// A Broadcaster.Subscribe stream that reopens itself. A thread owned by the
// subscription reads the stream and hands each update to a handler. After
// the first stream was open, a stream that fails with a retryable status
// is reported as ConnectionLost and reopened after a backoff pause with
// jitter, resuming every room right after the last sequence seen there
// (Reconnected). The subscription ends on a non-retryable status, on OK,
// on Cancel(), or when the handler returns false.
class ResumingSubscription {
 public:
  // Runs on the subscription thread, one update at a time. Returns false
  // to end the subscription, for example when output failed.
  using UpdateHandler = std::function<bool(const SubscriptionUpdate&)>;

  // Runs on the subscription thread once it has ended, with the status of
  // the last stream and whether Cancel() ended it.
  using EndHandler = std::function<void(const grpc::Status& status, bool cancelled)>;

  ResumingSubscription(std::shared_ptr<grpc::Channel> channel, SubscriptionOptions options,
                       UpdateHandler on_update, EndHandler on_end = nullptr);
  // Cancels and joins the thread.
  ~ResumingSubscription();

  ResumingSubscription(const ResumingSubscription&) = delete;
  ResumingSubscription& operator=(const ResumingSubscription&) = delete;

  // Starts the subscription thread. Later calls do nothing.
  void Start();

  // Waits until the first stream is open on broadcaster, the subscription
  // has ended, or `deadline`. Returns true only when the stream is open
  // and the subscription has not ended.
  bool WaitUntilSubscribed(absl::Time deadline);

  // Waits until a message of `room` with a sequence of at least `sequence`
  // has been handled, the subscription has ended, or `deadline`. Returns
  // whether the message was seen.
  bool WaitUntilSeen(const std::string& room, uint64_t sequence, absl::Time deadline);

  // Ends the subscription. Safe to call from any thread, also more than once.
  void Cancel();

  // Cancels and joins the thread.
  void Stop();

  // Waits until the subscription ends by itself or through Cancel(), and
  // joins the thread.
  void Join();

  // Status of the last stream. Call after the subscription ended.
  grpc::Status status() const;
  // Whether Cancel() ended the subscription.
  bool cancelled() const;
  // Whether the handler returned false.
  bool handler_stopped() const;
  // Whether the subscription has ended, for any reason.
  bool ended() const;

 private:
  void Run();
  // Runs one Subscribe call until its stream ends and returns its status.
  // `attempts` counts the calls since the connection was lost, 0 for the
  // first stream. Sets `opened` when broadcaster accepted the stream.
  grpc::Status RunStream(int attempts, bool& opened);
  // Records the position of `event` and hands it to the handler. Returns
  // the handler's result.
  bool Deliver(const parley::v1::Event& event);
  parley::v1::SubscribeRequest BuildRequest() const;
  Reconnected DescribeReconnect(int attempts) const;
  // Waits `delay` unless Cancel() runs first; returns false if it did.
  bool PauseBeforeRetry(absl::Duration delay);
  bool ShouldReopen(const grpc::Status& status, bool ever_opened) const;

  const std::shared_ptr<grpc::Channel> channel_;
  const std::unique_ptr<parley::v1::Broadcaster::Stub> stub_;
  const SubscriptionOptions options_;
  const UpdateHandler on_update_;
  const EndHandler on_end_;
  std::thread thread_;

  mutable parley::Mutex mu_;
  // Context of the running call, so Cancel() can cancel it.
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  // Next sequence to request per room: one past the last message seen, or
  // the first sequence after a gap. Absent until then.
  std::map<std::string, uint64_t> next_sequence_ ABSL_GUARDED_BY(mu_);
  bool subscribed_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool handler_stopped_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace parley::client

#endif  // PARLEY_CLIENT_RESUMING_SUBSCRIPTION_H_
