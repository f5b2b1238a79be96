#include "config.h"

namespace parley::processor {

absl::StatusOr<ProcessorConfig> LoadProcessorConfig(const std::string& path) {
  auto root = config::LoadYamlFile(path);
  if (!root.ok()) return root.status();

  ProcessorConfig result;
  config::MappingReader reader(path, *root);
  config::ReadServer(reader.Child("server"), &result.server);
  config::ReadLog(reader.Child("log"), &result.log);
  config::ReadLink(reader.Child("broadcaster"), &result.broadcaster);
  config::MappingReader& dedup = reader.Child("dedup");
  dedup.Read("window", &result.dedup_window, absl::Seconds(1), absl::Hours(24));
  dedup.Read("max_entries", &result.dedup_max_entries, 1, 100'000'000);
  reader.Child("replay").Read("max_messages_per_room", &result.replay_max_messages_per_room, 0,
                              10'000'000);
  reader.Read("queue_capacity", &result.queue_capacity, 1, 1'000'000);
  reader.Read("stall_timeout", &result.stall_timeout, absl::Milliseconds(100), absl::Hours(1));
  reader.Read("commit_delay", &result.commit_delay, absl::ZeroDuration(), absl::Minutes(10));
  if (auto status = reader.Finish(); !status.ok()) return status;
  return result;
}

}  // namespace parley::processor
