#ifndef PARLEY_RUNTIME_SHUTDOWN_SIGNALS_H_
#define PARLEY_RUNTIME_SHUTDOWN_SIGNALS_H_

// SIGTERM and SIGINT handling without signal handlers: the signals are
// blocked in every thread and read from a signalfd by one owned thread.
// The first signal starts a graceful shutdown; a second one asks to cut
// the drain short.

#include <thread>

#include "absl/synchronization/notification.h"

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
  absl::Notification& first() { return first_; }
  // Notified on the second one: stop draining now.
  absl::Notification& second() { return second_; }
  int first_signal() const { return first_signal_; }

 private:
  void Run();

  int signal_fd_ = -1;
  int stop_fd_ = -1;  // eventfd that wakes the thread for destruction
  int first_signal_ = 0;
  absl::Notification first_;
  absl::Notification second_;
  std::thread thread_;
};

}  // namespace parley::runtime

#endif  // PARLEY_RUNTIME_SHUTDOWN_SIGNALS_H_
