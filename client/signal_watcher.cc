#include "signal_watcher.h"

#include <pthread.h>
#include <signal.h>

namespace parley::client {
namespace {

sigset_t TerminationSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

}  // namespace

void BlockTerminationSignals() {
  const sigset_t signals = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

SignalWatcher::SignalWatcher() : thread_([this] { WaitForSignals(); }) {}

SignalWatcher::~SignalWatcher() {
  // The watcher thread reads the flag once sigwait returns. The signal sent
  // here stays pending for that thread only, because it is blocked there.
  shutting_down_.store(true);
  pthread_kill(thread_.native_handle(), SIGTERM);
  thread_.join();
}

void SignalWatcher::WaitForSignals() {
  const sigset_t signals = TerminationSignals();
  while (true) {
    int signal_number = 0;
    // sigwait(3) fails only with EINVAL, for an invalid signal set.
    if (sigwait(&signals, &signal_number) != 0) return;
    if (shutting_down_.load()) return;
    stop_source_.request_stop();
  }
}

}  // namespace parley::client
