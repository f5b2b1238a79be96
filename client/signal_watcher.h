#ifndef PARLEY_CLIENT_SIGNAL_WATCHER_H_
#define PARLEY_CLIENT_SIGNAL_WATCHER_H_

#include <atomic>
#include <stop_token>
#include <thread>

namespace parley::client {

// Blocks SIGINT and SIGTERM in the calling thread. Call it at the start of
// main, before any other thread exists: new threads inherit the mask, so the
// signals then reach the process only through SignalWatcher's sigwait and
// never interrupt gRPC's own threads.
void BlockTerminationSignals();

// Owns a thread that waits for SIGINT or SIGTERM and requests a stop on
// stop_token() for each one. Callbacks registered with std::stop_callback
// therefore run on that thread, outside any signal handler, so they may call
// into gRPC (for example ClientContext::TryCancel).
//
// Requires BlockTerminationSignals() to have run first.
class SignalWatcher {
 public:
  SignalWatcher();
  // Stops and joins the watcher thread.
  ~SignalWatcher();

  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  std::stop_token stop_token() const { return stop_source_.get_token(); }

 private:
  void WaitForSignals();

  std::stop_source stop_source_;
  std::atomic<bool> shutting_down_{false};
  std::thread thread_;
};

}  // namespace parley::client

#endif  // PARLEY_CLIENT_SIGNAL_WATCHER_H_
