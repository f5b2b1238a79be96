#include "http_get.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace parley::testing {
namespace {

// Connects a TCP socket to HOST:PORT; returns the descriptor.
absl::StatusOr<int> Connect(const std::string& address) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("address is not HOST:PORT: ", address));
  }
  std::string host = address.substr(0, colon);
  std::string port = address.substr(colon + 1);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int error = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); error != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot resolve ", address, ": ", gai_strerror(error)));
  }
  absl::Cleanup free_found = [found] { freeaddrinfo(found); };

  std::string last_error = "no address";
  for (addrinfo* candidate = found; candidate != nullptr; candidate = candidate->ai_next) {
    int fd = socket(candidate->ai_family, candidate->ai_socktype | SOCK_CLOEXEC,
                    candidate->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, candidate->ai_addr, candidate->ai_addrlen) == 0) return fd;
    last_error = std::strerror(errno);
    close(fd);
  }
  return absl::UnavailableError(absl::StrCat("cannot connect to ", address, ": ", last_error));
}

}  // namespace

absl::StatusOr<std::string> HttpGet(const std::string& address, const std::string& path,
                                    absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<int> fd = Connect(address);
  if (!fd.ok()) return fd.status();
  absl::Cleanup close_fd = [fd = *fd] { close(fd); };

  std::string request = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: ", address,
                                     "\r\nConnection: close\r\n\r\n");
  if (send(*fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return absl::UnavailableError(absl::StrCat("cannot send to ", address));
  }

  // HTTP/1.0 with Connection: close, so the server ends the body by
  // closing the connection.
  std::string response;
  char buffer[8192];
  while (true) {
    int64_t remaining_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (remaining_ms <= 0) {
      return absl::DeadlineExceededError(absl::StrCat("GET ", address, path, " timed out"));
    }
    pollfd readable{*fd, POLLIN, 0};
    if (poll(&readable, 1, static_cast<int>(remaining_ms)) <= 0) continue;
    ssize_t count = recv(*fd, buffer, sizeof(buffer), 0);
    if (count < 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot read from ", address, ": ", std::strerror(errno)));
    }
    if (count == 0) break;
    response.append(buffer, static_cast<size_t>(count));
  }

  size_t body_start = response.find("\r\n\r\n");
  if (body_start == std::string::npos) {
    return absl::UnavailableError(absl::StrCat("incomplete response from ", address));
  }
  if (!absl::StartsWith(response, "HTTP/1.0 200") && !absl::StartsWith(response, "HTTP/1.1 200")) {
    return absl::UnavailableError(absl::StrCat("GET ", address, path, " returned ",
                                               response.substr(0, response.find("\r\n"))));
  }
  return response.substr(body_start + 4);
}

}  // namespace parley::testing
