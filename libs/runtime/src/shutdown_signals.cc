#include "parley/runtime/shutdown_signals.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>

#include "parley/runtime/logging.h"

namespace parley::runtime {
namespace {

sigset_t ShutdownSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void BlockShutdownSignals() {
  sigset_t set = ShutdownSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ShutdownSignals::ShutdownSignals() {
  sigset_t set = ShutdownSet();
  signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC);
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  if (signal_fd_ < 0 || stop_fd_ < 0) {
    spdlog::critical("cannot create signalfd or eventfd: errno {}", errno);
    std::abort();
  }
  thread_ = std::thread([this] { Run(); });
}

ShutdownSignals::~ShutdownSignals() {
  uint64_t one = 1;
  (void)write(stop_fd_, &one, sizeof(one));
  thread_.join();
  close(signal_fd_);
  close(stop_fd_);
}

void ShutdownSignals::Run() {
  auto logger = Logger("signals");
  int received = 0;
  while (received < 2) {
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      logger->error("poll on signalfd failed: errno {}", errno);
      return;
    }
    if (fds[1].revents != 0) return;
    signalfd_siginfo info;
    if (read(signal_fd_, &info, sizeof(info)) != sizeof(info)) continue;
    ++received;
    if (received == 1) {
      first_signal_ = static_cast<int>(info.ssi_signo);
      logger->info("received {}, starting graceful shutdown", strsignal(first_signal_));
      first_.Notify();
    } else {
      logger->warn("received {} again, cutting the drain short", strsignal(info.ssi_signo));
      second_.Notify();
    }
  }
}

}  // namespace parley::runtime
