#include "line_reader.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace parley::client {

LineReader::LineReader(int fd, const std::stop_token& stop_token)
    : fd_(fd), stop_token_(stop_token) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::system_error(errno, std::generic_category(), "failed to create the wake-up pipe for standard input");
  }
  wake_read_fd_ = pipe_fds[0];
  wake_write_fd_ = pipe_fds[1];
  wake_on_stop_.emplace(stop_token_, [this] {
    const char byte = 0;
    // A full pipe already wakes poll(), so a failed write loses nothing.
    [[maybe_unused]] const ssize_t written = write(wake_write_fd_, &byte, 1);
  });
}

LineReader::~LineReader() {
  // Destroying the callback waits for a running invocation, so the pipe is
  // still open while the callback writes to it.
  wake_on_stop_.reset();
  close(wake_read_fd_);
  close(wake_write_fd_);
}

LineReader::Result LineReader::ReadLine(std::string& line) {
  while (true) {
    if (stop_token_.stop_requested()) return Result::kStopped;
    if (TakeBufferedLine(line)) return Result::kLine;

    if (buffer_.size() > kMaxLineBytes) {
      buffer_.clear();
      discarding_ = true;
      return Result::kLineTooLong;
    }
    if (end_of_file_) {
      if (buffer_.empty()) return Result::kEndOfFile;
      line = std::move(buffer_);
      buffer_.clear();
      return Result::kLine;
    }

    if (const std::optional<Result> result = FillBuffer()) return *result;
  }
}

bool LineReader::TakeBufferedLine(std::string& line) {
  while (true) {
    const size_t newline = buffer_.find('\n');
    if (newline == std::string::npos) {
      if (discarding_) buffer_.clear();
      return false;
    }
    if (discarding_) {
      buffer_.erase(0, newline + 1);
      discarding_ = false;
      continue;
    }
    line.assign(buffer_, 0, newline);
    buffer_.erase(0, newline + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  }
}

std::optional<LineReader::Result> LineReader::FillBuffer() {
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_read_fd_, POLLIN, 0}};
  if (poll(fds, 2, -1) < 0) {
    if (errno == EINTR) return std::nullopt;
    error_number_ = errno;
    return Result::kError;
  }
  if (fds[1].revents != 0) return Result::kStopped;
  if (fds[0].revents == 0) return std::nullopt;

  char chunk[64 * 1024];
  const ssize_t count = read(fd_, chunk, sizeof(chunk));
  if (count > 0) {
    buffer_.append(chunk, static_cast<size_t>(count));
  } else if (count == 0) {
    end_of_file_ = true;
  } else if (errno != EINTR && errno != EAGAIN) {
    error_number_ = errno;
    return Result::kError;
  }
  return std::nullopt;
}

}  // namespace parley::client
