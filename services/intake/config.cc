#include "config.h"

namespace parley::intake {
namespace {

void ReadSize(config::MappingReader& reader, absl::string_view key, size_t* out, int64_t max) {
  int64_t value = static_cast<int64_t>(*out);
  reader.Read(key, &value, 1, max);
  *out = static_cast<size_t>(value);
}

}  // namespace

absl::StatusOr<IntakeConfig> LoadIntakeConfig(const std::string& path) {
  auto root = config::LoadYamlFile(path);
  if (!root.ok()) return root.status();

  IntakeConfig result;
  config::MappingReader reader(path, *root);
  config::ReadServer(reader.Child("server"), &result.server);
  config::ReadLog(reader.Child("log"), &result.log);
  config::ReadLink(reader.Child("processor"), &result.processor);
  reader.Child("send").Read("default_timeout", &result.default_timeout, absl::Milliseconds(1),
                            absl::Hours(1));
  config::MappingReader& limits = reader.Child("limits");
  ReadSize(limits, "room_max_bytes", &result.limits.room_max_bytes, 1024);
  ReadSize(limits, "sender_max_bytes", &result.limits.sender_max_bytes, 1024);
  ReadSize(limits, "text_max_bytes", &result.limits.text_max_bytes, 1 << 20);
  if (static_cast<int64_t>(result.limits.text_max_bytes) + 4096 > result.server.max_message_bytes) {
    limits.Fail("text_max_bytes", "must be at least 4096 bytes below server.max_message_bytes");
  }
  config::MappingReader& rate_limit = reader.Child("rate_limit");
  rate_limit.Read("messages_per_second", &result.rate_limit.messages_per_second, 0, 1'000'000);
  rate_limit.Read("burst", &result.rate_limit.burst, 1, 1'000'000);
  rate_limit.Read("max_senders", &result.rate_limit.max_senders, 1, 100'000'000);
  if (auto status = reader.Finish(); !status.ok()) return status;
  return result;
}

}  // namespace parley::intake
