#include "line_queue.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace parley::client {

LineQueue::LineQueue() {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::system_error(errno, std::generic_category(), "failed to create the output queue pipe");
  }
  read_fd_ = pipe_fds[0];
  write_fd_ = pipe_fds[1];
}

LineQueue::~LineQueue() {
  close(read_fd_);
  close(write_fd_);
}

void LineQueue::Push(std::string line) {
  {
    parley::MutexLock lock(&mu_);
    lines_.push_back(std::move(line));
  }
  Wake();
}

void LineQueue::Wake() {
  const char byte = 0;
  // A full pipe is already readable, so a failed write loses no wake-up.
  [[maybe_unused]] const ssize_t written = write(write_fd_, &byte, 1);
}

std::deque<std::string> LineQueue::TakeAll() {
  char drain[256];
  while (read(read_fd_, drain, sizeof(drain)) > 0) {
  }
  parley::MutexLock lock(&mu_);
  return std::exchange(lines_, {});
}

}  // namespace parley::client
