#ifndef PARLEY_TESTS_SUPPORT_NOTIFY_SOCKET_H_
#define PARLEY_TESTS_SUPPORT_NOTIFY_SOCKET_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace parley::testing {

// The systemd side of sd_notify: a datagram socket that a service finds
// through NOTIFY_SOCKET. Tests read READY=1, STATUS=..., STOPPING=1 from it.
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

  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
  size_t checked_ = 0;
};

// Returns true when `message` has `line` as one of its lines.
bool HasLine(const std::string& message, const std::string& line);

}  // namespace parley::testing

#endif  // PARLEY_TESTS_SUPPORT_NOTIFY_SOCKET_H_
