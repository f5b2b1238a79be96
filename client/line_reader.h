#ifndef PARLEY_CLIENT_LINE_READER_H_
#define PARLEY_CLIENT_LINE_READER_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>

namespace parley::client {

// Reads lines from a file descriptor, such as standard input from a terminal
// or a pipe, and returns early when a stop is requested on a stop token, which
// a blocking std::getline cannot do.
class LineReader {
 public:
  enum class Result {
    kLine,
    // The line was longer than kMaxLineBytes and has been discarded.
    kLineTooLong,
    kEndOfFile,
    kStopped,
    // Reading failed, and error_number() returns the errno value.
    kError,
  };

  // gRPC servers reject requests above 4 MiB by default, so a longer line
  // could not be sent anyway. The limit also bounds memory use.
  static constexpr size_t kMaxLineBytes = 4 * 1024 * 1024;

  // Does not take ownership of `fd`. Throws std::system_error when the
  // wake-up pipe cannot be created.
  LineReader(int fd, const std::stop_token& stop_token);
  ~LineReader();

  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Stores the next line without its "\n" or "\r\n" in `line`. A last line
  // without a newline counts as a line. Returns kStopped as soon as a stop is
  // requested, even when more input is available.
  Result ReadLine(std::string& line);

  int error_number() const { return error_number_; }

 private:
  bool TakeBufferedLine(std::string& line);
  // Waits until the input or the wake-up pipe is readable, then reads once.
  // Returns the result for ReadLine to hand back, or nullopt when ReadLine
  // should look at the buffer again.
  std::optional<Result> FillBuffer();

  int fd_;
  std::stop_token stop_token_;
  // Written to on a stop request, so poll() returns.
  int wake_read_fd_ = -1;
  int wake_write_fd_ = -1;
  // Registered after the pipe exists, so the callback never writes to fd -1.
  std::optional<std::stop_callback<std::function<void()>>> wake_on_stop_;
  std::string buffer_;
  bool end_of_file_ = false;
  // Set while dropping the rest of a line longer than kMaxLineBytes.
  bool discarding_ = false;
  int error_number_ = 0;
};

}  // namespace parley::client

#endif  // PARLEY_CLIENT_LINE_READER_H_
