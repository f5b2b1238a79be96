#ifndef PARLEY_RUNTIME_SHUTDOWN_SIGNALS_H_
#define PARLEY_RUNTIME_SHUTDOWN_SIGNALS_H_

// SIGTERM and SIGINT handling without signal handlers: the signals are
// blocked in every thread and read from a signalfd by one owned thread.
// The first signal starts a graceful shutdown, and a second one cuts the
// drain short.

#include <thread>

#include "parley/base/mutex.h"

namespace parley::runtime {

// Blocks SIGTERM and SIGINT in the calling thread. Call at the top of main,
// before any thread starts, so that every thread inherits the mask.
void BlockShutdownSignals();

class ShutdownSignals {
 public:
  ShutdownSignals();
  ~ShutdownSignals();  // stops and joins the signal thread

  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Notified on the first SIGTERM or SIGINT.
  parley::Notification& first() { return first_; }
  // Notified on the second one: stop draining now.
  parley::Notification& second() { return second_; }
  int first_signal() const { return first_signal_; }

 private:
  void Run();

  int signal_fd_ = -1;
  int stop_fd_ = -1;  // eventfd that wakes the thread for destruction
  int first_signal_ = 0;
  parley::Notification first_;
  parley::Notification second_;
  std::thread thread_;
};

}  // namespace parley::runtime

#endif  // PARLEY_RUNTIME_SHUTDOWN_SIGNALS_H_
