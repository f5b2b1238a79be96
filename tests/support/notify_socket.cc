#include "notify_socket.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
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
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  if (stop_fd_ < 0) throw std::runtime_error("cannot create an eventfd for " + path_);
  reader_ = std::thread([this] { Receive(); });
}

NotifySocket::~NotifySocket() {
  uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof(one)) != sizeof(one)) std::abort();
  reader_.join();
  close(stop_fd_);
  close(fd_);
  unlink(path_.c_str());
}

void NotifySocket::Receive() {
  while (true) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;  // EINTR
    if (fds[1].revents != 0) return;
    char buffer[4096];
    ssize_t size = recv(fd_, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (size <= 0) continue;
    parley::MutexLock lock(&mu_);
    messages_.emplace_back(buffer, static_cast<size_t>(size));
  }
}

std::vector<std::string> NotifySocket::messages() const {
  parley::MutexLock lock(&mu_);
  return messages_;
}

std::optional<std::string> NotifySocket::WaitFor(
    const std::function<bool(const std::string&)>& matches, absl::Duration timeout) {
  parley::MutexLock lock(&mu_);
  std::optional<std::string> found;
  auto scan = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (; checked_ < messages_.size(); ++checked_) {
      if (matches(messages_[checked_])) {
        found = messages_[checked_++];
        return true;
      }
    }
    return false;
  };
  mu_.AwaitWithTimeout(scan, timeout);
  return found;
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
