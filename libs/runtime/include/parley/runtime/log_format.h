#ifndef PARLEY_RUNTIME_LOG_FORMAT_H_
#define PARLEY_RUNTIME_LOG_FORMAT_H_

// The line formats of Parley's logs: plain text, plain text for the
// journal, and JSON lines.

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "parley/config/common.h"
#include "spdlog/formatter.h"

namespace parley::runtime {

// Returns the formatter for `config.format`. "json" writes one JSON object
// per line with time, level, service, logger and message, where the message
// is escaped so that any text gives valid JSON. "text" writes
// "TIME LEVEL [logger] message", without the time when `journal` is true,
// because the journal adds its own.
std::unique_ptr<spdlog::formatter> MakeLogFormatter(const std::string& service,
                                                    const config::LogConfig& config,
                                                    bool journal);

// Appends `text` as the contents of a JSON string (without the quotes):
// '"' and '\' are escaped, control characters become \n, \t, \r, \b, \f or
// \u00XX, and every byte that is not part of valid UTF-8 becomes U+FFFD.
void AppendJsonEscaped(absl::string_view text, spdlog::memory_buf_t& out);

}  // namespace parley::runtime

#endif  // PARLEY_RUNTIME_LOG_FORMAT_H_
