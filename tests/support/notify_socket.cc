#include "notify_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace parley::testing {

NotifySocket::NotifySocket(std::string path) : path_(std::move(path)) {
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path_.size() >= sizeof(address.sun_path)) throw std::runtime_error("socket path too long");
  std::strcpy(address.sun_path, path_.c_str());
  unlink(path_.c_str());
  if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    throw std::runtime_error("cannot bind notify socket " + path_);
  }
}

NotifySocket::~NotifySocket() {
  close(fd_);
  unlink(path_.c_str());
}

std::optional<std::string> NotifySocket::WaitFor(
    const std::function<bool(const std::string&)>& matches, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    for (; checked_ < messages_.size(); ++checked_) {
      if (matches(messages_[checked_])) return messages_[checked_++];
    }
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return std::nullopt;
    pollfd fd{fd_, POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1) <= 0) continue;
    char buffer[4096];
    ssize_t size = recv(fd_, buffer, sizeof(buffer), 0);
    if (size > 0) messages_.emplace_back(buffer, static_cast<size_t>(size));
  }
}

std::optional<std::string> NotifySocket::WaitForLine(const std::string& line,
                                                     absl::Duration timeout) {
  return WaitFor([&line](const std::string& message) { return HasLine(message, line); },
                 timeout);
}

bool HasLine(const std::string& message, const std::string& line) {
  for (absl::string_view part : absl::StrSplit(message, '\n')) {
    if (part == line) return true;
  }
  return false;
}

}  // namespace parley::testing
