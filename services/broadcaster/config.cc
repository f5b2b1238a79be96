#include "config.h"

namespace parley::broadcaster {

absl::StatusOr<BroadcasterConfig> LoadBroadcasterConfig(const std::string& path) {
  auto root = config::LoadYamlFile(path);
  if (!root.ok()) return root.status();

  BroadcasterConfig result;
  config::MappingReader reader(path, *root);
  config::ReadServer(reader.Child("server"), &result.server);
  config::ReadLog(reader.Child("log"), &result.log);
  reader.Child("history").Read("max_messages_per_room", &result.history_max_messages_per_room, 0,
                               10'000'000);
  config::MappingReader& subscribers = reader.Child("subscribers");
  subscribers.Read("max_queued_messages", &result.subscriber_max_queued_messages, 1, 10'000'000);
  subscribers.Read("max_queued_bytes", &result.subscriber_max_queued_bytes, 1024, int64_t{1} << 30);
  if (auto status = reader.Finish(); !status.ok()) return status;
  return result;
}

}  // namespace parley::broadcaster
