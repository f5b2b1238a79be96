#ifndef PARLEY_CLIENT_LINE_QUEUE_H_
#define PARLEY_CLIENT_LINE_QUEUE_H_

#include <deque>
#include <string>

#include "absl/base/thread_annotations.h"
#include "parley/base/mutex.h"

namespace parley::client {

// Lines that other threads hand to the thread that owns the terminal. A
// pipe makes the queue pollable: wake_fd() is readable while lines are
// waiting or after Wake().
class LineQueue {
 public:
  // Throws std::system_error when the pipe cannot be created.
  LineQueue();
  ~LineQueue();

  LineQueue(const LineQueue&) = delete;
  LineQueue& operator=(const LineQueue&) = delete;

  // Adds `line` and wakes the owner. Thread-safe.
  void Push(std::string line);

  // Wakes the owner without a line, for example on a stop request.
  // Thread-safe.
  void Wake();

  // Returns every waiting line, oldest first, and empties the pipe.
  std::deque<std::string> TakeAll();

  int wake_fd() const { return read_fd_; }

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
  parley::Mutex mu_;
  std::deque<std::string> lines_ ABSL_GUARDED_BY(mu_);
};

}  // namespace parley::client

#endif  // PARLEY_CLIENT_LINE_QUEUE_H_
