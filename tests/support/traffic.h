#ifndef PARLEY_TESTS_SUPPORT_TRAFFIC_H_
#define PARLEY_TESTS_SUPPORT_TRAFFIC_H_

#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "chat_client.h"
#include "delivery_check.h"
#include "parley/base/mutex.h"

namespace parley::testing {

// An acknowledged Send together with the request that produced it.
struct SentMessage {
  Acknowledged ack;
  std::string sender;
  std::string client_message_id;
};

// Steady traffic from several senders, each retrying a failed Send with the
// same client_message_id until `retry_for` has passed, as a well-behaved
// client does. A Send that still fails then is a failure. Sender names
// start with `sender_prefix`: processor remembers (sender,
// client_message_id) pairs for its de-duplication window, so traffic into
// a stack that outlives one test case needs senders of its own.
class Traffic {
 public:
  Traffic(std::string intake_address, std::vector<std::string> rooms, int senders,
          absl::Duration retry_for = absl::Seconds(30), std::string sender_prefix = "sender")
      : address_(std::move(intake_address)),
        rooms_(std::move(rooms)),
        sender_prefix_(std::move(sender_prefix)),
        retry_for_(retry_for) {
    for (int sender = 0; sender < senders; ++sender) {
      threads_.emplace_back([this, sender] { Run(sender); });
    }
  }

  ~Traffic() { Stop(); }

  // Stops after each sender's current message, retries included, and joins.
  void Stop() {
    {
      parley::MutexLock lock(&mu_);
      stopping_ = true;
    }
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  // Blocks until `count` more messages than now are acknowledged.
  bool WaitForMore(size_t count, absl::Duration timeout) {
    parley::MutexLock lock(&mu_);
    size_t target = sent_.size() + count;
    auto enough = [this, target]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return sent_.size() >= target;
    };
    return mu_.AwaitWithTimeout(enough, timeout);
  }

  std::vector<SentMessage> sent() const {
    parley::MutexLock lock(&mu_);
    return sent_;
  }

  std::vector<Acknowledged> acknowledged() const {
    parley::MutexLock lock(&mu_);
    std::vector<Acknowledged> result;
    for (const SentMessage& message : sent_) result.push_back(message.ack);
    return result;
  }

  std::vector<std::string> failures() const {
    parley::MutexLock lock(&mu_);
    return failures_;
  }

 private:
  void Run(int sender_index) {
    IntakeClient client(address_);
    std::string sender = absl::StrCat(sender_prefix_, "-s", sender_index);
    for (int i = 0;; ++i) {
      {
        parley::MutexLock lock(&mu_);
        if (stopping_) return;
      }
      const std::string& room = rooms_[(i + sender_index) % rooms_.size()];
      std::string id = absl::StrCat("m", i);
      auto reply = client.SendWithRetries(room, sender, absl::StrCat("message ", i), id,
                                          absl::Now() + retry_for_);
      parley::MutexLock lock(&mu_);
      if (reply.ok()) {
        sent_.push_back({.ack = {reply->room(), reply->sequence(), reply->message_id()},
                         .sender = sender,
                         .client_message_id = id});
      } else {
        failures_.push_back(absl::StrCat(sender, "/", id, ": ", reply.status().ToString()));
      }
    }
  }

  const std::string address_;
  const std::vector<std::string> rooms_;
  const std::string sender_prefix_;
  const absl::Duration retry_for_;
  mutable parley::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<SentMessage> sent_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> failures_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

}  // namespace parley::testing

#endif  // PARLEY_TESTS_SUPPORT_TRAFFIC_H_
