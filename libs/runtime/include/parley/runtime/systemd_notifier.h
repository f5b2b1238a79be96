#ifndef PARLEY_RUNTIME_SYSTEMD_NOTIFIER_H_
#define PARLEY_RUNTIME_SYSTEMD_NOTIFIER_H_

// Reports service state to systemd with sd_notify. Without NOTIFY_SOCKET
// (a shell, a container) every call quietly does nothing, so one binary
// runs everywhere.

#include <functional>
#include <string>
#include <thread>

#include "parley/base/mutex.h"
#include "absl/time/time.h"

namespace parley::runtime {

class SystemdNotifier {
 public:
  SystemdNotifier() = default;
  ~SystemdNotifier();  // stops and joins the watchdog thread

  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  void Ready(const std::string& status);
  void Stopping(const std::string& status);
  void Status(const std::string& status);
  // Asks systemd to wait `extra` longer than its stop or start timeout.
  void ExtendTimeout(absl::Duration extra);

  // When systemd enabled the watchdog (WatchdogSec=), starts a thread that
  // sends WATCHDOG=1 at half the interval while `healthy` returns true; a
  // wedged service stops the pings and systemd restarts it.
  void StartWatchdog(std::function<bool()> healthy);
  void StopWatchdog();

 private:
  void Send(const std::string& state);

  parley::Notification stop_watchdog_;
  std::thread watchdog_;
};

}  // namespace parley::runtime

#endif  // PARLEY_RUNTIME_SYSTEMD_NOTIFIER_H_
