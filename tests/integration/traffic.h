#ifndef PARLEY_TESTS_INTEGRATION_TRAFFIC_H_
#define PARLEY_TESTS_INTEGRATION_TRAFFIC_H_

#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "parley/base/mutex.h"
#include "absl/time/time.h"
#include "chat_client.h"
#include "delivery_check.h"

namespace parley::testing {

// Steady traffic from several senders, each retrying a failed Send with
// the same client_message_id, as a well-behaved client does. Records every
// acknowledged message; a Send that still fails after `retry_for` is a
// failure.
class Traffic {
 public:
  Traffic(std::string intake_address, std::vector<std::string> rooms, int senders,
          absl::Duration retry_for = absl::Seconds(30))
      : address_(std::move(intake_address)), rooms_(std::move(rooms)), retry_for_(retry_for) {
    for (int sender = 0; sender < senders; ++sender) {
      threads_.emplace_back([this, sender] { Run(sender); });
    }
  }

  ~Traffic() { Stop(); }

  // Stops after each sender's current message and joins.
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
    size_t target = acknowledged_.size() + count;
    auto enough = [this, target]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return acknowledged_.size() >= target;
    };
    return mu_.AwaitWithTimeout(enough, timeout);
  }

  std::vector<Acknowledged> acknowledged() const {
    parley::MutexLock lock(&mu_);
    return acknowledged_;
  }

  std::vector<std::string> failures() const {
    parley::MutexLock lock(&mu_);
    return failures_;
  }

 private:
  void Run(int sender) {
    IntakeClient client(address_);
    for (int i = 0;; ++i) {
      {
        parley::MutexLock lock(&mu_);
        if (stopping_) return;
      }
      const std::string& room = rooms_[i % rooms_.size()];
      std::string id = absl::StrCat("m", i);
      auto reply = client.SendWithRetries(room, absl::StrCat("sender", sender),
                                          absl::StrCat("message ", i), id,
                                          absl::Now() + retry_for_);
      parley::MutexLock lock(&mu_);
      if (reply.ok()) {
        acknowledged_.push_back({reply->room(), reply->sequence(), reply->message_id()});
      } else {
        failures_.push_back(absl::StrCat("sender", sender, "/", id, ": ", reply.status().ToString()));
      }
    }
  }

  const std::string address_;
  const std::vector<std::string> rooms_;
  const absl::Duration retry_for_;
  mutable parley::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Acknowledged> acknowledged_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> failures_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

}  // namespace parley::testing

#endif  // PARLEY_TESTS_INTEGRATION_TRAFFIC_H_
