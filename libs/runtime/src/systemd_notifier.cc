#include "parley/runtime/systemd_notifier.h"

#include <systemd/sd-daemon.h>

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "parley/runtime/logging.h"

namespace parley::runtime {

SystemdNotifier::~SystemdNotifier() { StopWatchdog(); }

void SystemdNotifier::Send(const std::string& state) {
  int result = sd_notify(0, state.c_str());
  if (result < 0) {
    Logger("systemd")->warn("sd_notify failed with error {}", -result);
  }
}

void SystemdNotifier::Ready(const std::string& status) {
  Send(absl::StrCat("READY=1\nSTATUS=", status));
}

void SystemdNotifier::Stopping(const std::string& status) {
  Send(absl::StrCat("STOPPING=1\nSTATUS=", status));
}

void SystemdNotifier::Status(const std::string& status) { Send(absl::StrCat("STATUS=", status)); }

void SystemdNotifier::ExtendTimeout(absl::Duration extra) {
  Send(absl::StrCat("EXTEND_TIMEOUT_USEC=", absl::ToInt64Microseconds(extra)));
}

void SystemdNotifier::StartWatchdog(std::function<bool()> healthy) {
  uint64_t interval_usec = 0;
  if (sd_watchdog_enabled(0, &interval_usec) <= 0 || watchdog_.joinable()) return;
  absl::Duration period = absl::Microseconds(interval_usec) / 2;
  Logger("systemd")->info("watchdog enabled, pinging every {}", absl::FormatDuration(period));
  watchdog_ = std::thread([this, period, healthy = std::move(healthy)] {
    while (!stop_watchdog_.WaitForNotificationWithTimeout(period)) {
      if (healthy()) {
        Send("WATCHDOG=1");
      } else {
        Logger("systemd")->error("health check failed, withholding the watchdog ping");
      }
    }
  });
}

void SystemdNotifier::StopWatchdog() {
  if (!watchdog_.joinable()) return;
  if (!stop_watchdog_.HasBeenNotified()) stop_watchdog_.Notify();
  watchdog_.join();
}

}  // namespace parley::runtime
