#ifndef PARLEY_RUNTIME_LOGGING_H_
#define PARLEY_RUNTIME_LOGGING_H_

// One logging set-up for every Parley process: spdlog loggers named per
// subsystem that share one sink. Under systemd (JOURNAL_STREAM set) lines
// carry no timestamp, since the journal adds its own.

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "parley/config/common.h"
#include "spdlog/spdlog.h"

// Debian's abseil keeps its own string_view type (not std::string_view),
// which fmt does not know; this formats it as text.
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<fmt::string_view> {
  template <typename FormatContext>
  auto format(absl::string_view value, FormatContext& context) const {
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(value.data(), value.size()),
                                                    context);
  }
};

namespace parley::runtime {

// Configures the default logger for `service` and routes gRPC core's own
// log lines through it. Call once, early in main.
void SetUpLogging(const std::string& service, const config::LogConfig& config);

// Returns the logger for `subsystem` (for example "link.processor"),
// creating it on first use. Thread-safe.
std::shared_ptr<spdlog::logger> Logger(const std::string& subsystem);

}  // namespace parley::runtime

#endif  // PARLEY_RUNTIME_LOGGING_H_
