#include "parley/runtime/logging.h"

#include <cstdlib>
#include <mutex>

#include "grpc/support/log.h"
#include "parley/runtime/log_format.h"
#include "spdlog/sinks/stdout_sinks.h"

namespace parley::runtime {
namespace {

std::mutex logger_mutex;

// gRPC core logs through this bridge; gpr_set_log_function is the hook in
// gRPC 1.51 (later releases replace it with absl logging).
void ForwardGrpcLog(gpr_log_func_args* args) {
  static auto logger = Logger("grpc");
  spdlog::level::level_enum level = spdlog::level::debug;
  if (args->severity == GPR_LOG_SEVERITY_ERROR) level = spdlog::level::err;
  if (args->severity == GPR_LOG_SEVERITY_INFO) level = spdlog::level::info;
  logger->log(level, "{}:{} {}", args->file, args->line, args->message);
}

}  // namespace

void SetUpLogging(const std::string& service, const config::LogConfig& config) {
  {
    std::lock_guard<std::mutex> lock(logger_mutex);
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>(service, sink);
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(config.level));
    bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
    spdlog::set_formatter(MakeLogFormatter(service, config, journal));
    spdlog::flush_on(spdlog::level::info);
  }
  gpr_set_log_function(ForwardGrpcLog);
  gpr_set_log_verbosity(GPR_LOG_SEVERITY_ERROR);
}

std::shared_ptr<spdlog::logger> Logger(const std::string& subsystem) {
  std::lock_guard<std::mutex> lock(logger_mutex);
  if (auto existing = spdlog::get(subsystem)) return existing;
  auto base = spdlog::default_logger();
  auto logger = base->clone(subsystem);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace parley::runtime
