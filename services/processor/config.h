#ifndef PARLEY_SERVICES_PROCESSOR_CONFIG_H_
#define PARLEY_SERVICES_PROCESSOR_CONFIG_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "message_policy.h"
#include "parley/config/common.h"

namespace parley::processor {

struct ProcessorConfig {
  config::ServerConfig server{.listen = "127.0.0.1:50052", .metrics_listen = "127.0.0.1:9102"};
  config::LogConfig log;
  config::LinkConfig broadcaster{.target = "127.0.0.1:50053"};
  // How long a committed message id is remembered, so that a retry returns
  // the original sequence instead of committing twice.
  absl::Duration dedup_window = absl::Minutes(10);
  int64_t dedup_max_entries = 100'000;
  // Submissions waiting to be sequenced; a full queue stops reading from
  // intake's stream.
  int64_t queue_capacity = 1024;
  // Recent commits per room written again to broadcaster on each new stream.
  int64_t replay_max_messages_per_room = 1000;
  // A commit thread that finishes no work for this long while work waits
  // counts as wedged: the systemd watchdog pings stop.
  absl::Duration stall_timeout = absl::Seconds(30);
  // Test aid: waits this long before every commit.
  absl::Duration commit_delay = absl::ZeroDuration();
  // `moderation.action`, and the words of `moderation.words` together with
  // those of `moderation.words_file`.
  ModerationOptions moderation;
};

// Reads and validates `path`; errors name the file, line and key.
absl::StatusOr<ProcessorConfig> LoadProcessorConfig(const std::string& path);

}  // namespace parley::processor

#endif  // PARLEY_SERVICES_PROCESSOR_CONFIG_H_
