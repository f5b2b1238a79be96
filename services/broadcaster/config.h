#ifndef PARLEY_SERVICES_BROADCASTER_CONFIG_H_
#define PARLEY_SERVICES_BROADCASTER_CONFIG_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "parley/config/common.h"

namespace parley::broadcaster {

struct BroadcasterConfig {
  config::ServerConfig server{.listen = "127.0.0.1:50053", .metrics_listen = "127.0.0.1:9103"};
  config::LogConfig log;
  // Messages kept per room for resuming subscribers.
  int64_t history_max_messages_per_room = 1000;
  // Events queued for one subscriber; a subscriber that falls further
  // behind is disconnected with RESOURCE_EXHAUSTED and resumes.
  int64_t subscriber_max_queued_messages = 1024;
  // Serialized bytes queued for one subscriber, with the same effect.
  int64_t subscriber_max_queued_bytes = 4 << 20;
};

// Reads and validates `path`; errors name the file, line and key.
absl::StatusOr<BroadcasterConfig> LoadBroadcasterConfig(const std::string& path);

}  // namespace parley::broadcaster

#endif  // PARLEY_SERVICES_BROADCASTER_CONFIG_H_
