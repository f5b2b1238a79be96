#ifndef PARLEY_RUNTIME_LOGGING_H_
#define PARLEY_RUNTIME_LOGGING_H_

// One logging set-up for every Parley process: spdlog loggers named per
// subsystem that share one sink. Under systemd (JOURNAL_STREAM set) lines
// carry no timestamp, since the journal adds its own.

#include <memory>
#include <string>

#include "parley/config/common.h"
#include "spdlog/spdlog.h"

namespace parley::runtime {

// Configures the default logger for `service` and routes gRPC core's own
// log lines through it. Call once, early in main.
void SetUpLogging(const std::string& service, const config::LogConfig& config);

// Returns the logger for `subsystem` (for example "link.processor"),
// creating it on first use. Thread-safe.
std::shared_ptr<spdlog::logger> Logger(const std::string& subsystem);

}  // namespace parley::runtime

#endif  // PARLEY_RUNTIME_LOGGING_H_
