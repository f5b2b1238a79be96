#ifndef PARLEY_TESTS_SUPPORT_NOTIFY_SOCKET_H_
#define PARLEY_TESTS_SUPPORT_NOTIFY_SOCKET_H_

#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "parley/base/mutex.h"

namespace parley::testing {

// The systemd side of sd_notify: a datagram socket that a service finds
// through NOTIFY_SOCKET. Tests read READY=1, STATUS=..., STOPPING=1 from it.
// A reader thread receives every message as it arrives, as systemd does:
// sd_notify blocks once the socket's receive queue is full, and a service
// that sends EXTEND_TIMEOUT_USEC through a long drain would otherwise stall.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path);
  ~NotifySocket();

  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& path() const { return path_; }

  // Waits until a received message satisfies `matches` and returns it; every
  // message read on the way is kept in messages().
  std::optional<std::string> WaitFor(const std::function<bool(const std::string&)>& matches,
                                     absl::Duration timeout);

  // Waits for a message with a line equal to `line`, such as "READY=1".
  std::optional<std::string> WaitForLine(const std::string& line, absl::Duration timeout);

  // Returns every message received so far, in order.
  std::vector<std::string> messages() const;

 private:
  void Receive();

  std::string path_;
  int fd_ = -1;
  int stop_fd_ = -1;  // eventfd that wakes the reader thread to exit
  mutable parley::Mutex mu_;
  std::vector<std::string> messages_ ABSL_GUARDED_BY(mu_);
  size_t checked_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread reader_;
};

// Returns true when `message` has `line` as one of its lines.
bool HasLine(const std::string& message, const std::string& line);

}  // namespace parley::testing

#endif  // PARLEY_TESTS_SUPPORT_NOTIFY_SOCKET_H_
