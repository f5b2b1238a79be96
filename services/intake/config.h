#ifndef PARLEY_SERVICES_INTAKE_CONFIG_H_
#define PARLEY_SERVICES_INTAKE_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "parley/chat/validation.h"
#include "parley/config/common.h"
#include "rate_limiter.h"

namespace parley::intake {

struct IntakeConfig {
  config::ServerConfig server{.listen = "127.0.0.1:50051", .metrics_listen = "127.0.0.1:9101"};
  config::LogConfig log;
  config::LinkConfig processor{.target = "127.0.0.1:50052"};
  // Deadline given to a Send whose client set none.
  absl::Duration default_timeout = absl::Seconds(10);
  chat::Limits limits;
  RateLimitOptions rate_limit;
};

// Reads and validates `path`; errors name the file, line and key.
absl::StatusOr<IntakeConfig> LoadIntakeConfig(const std::string& path);

}  // namespace parley::intake

#endif  // PARLEY_SERVICES_INTAKE_CONFIG_H_
