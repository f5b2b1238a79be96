#include "window_resize.h"

#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace parley::client {
namespace {

sigset_t ResizeSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGWINCH);
  return signals;
}

}  // namespace

void BlockWindowResizeSignal() {
  const sigset_t signals = ResizeSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

WindowResizeSignal::WindowResizeSignal() {
  const sigset_t signals = ResizeSignals();
  fd_ = signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd_ < 0) {
    throw std::system_error(errno, std::generic_category(), "failed to create a signalfd for SIGWINCH");
  }
}

WindowResizeSignal::~WindowResizeSignal() { close(fd_); }

void WindowResizeSignal::Consume() {
  signalfd_siginfo info;
  while (read(fd_, &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
  }
}

}  // namespace parley::client
