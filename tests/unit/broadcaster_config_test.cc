#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "config.h"
#include "gtest/gtest.h"
#include "temp_file.h"

namespace parley::broadcaster {
namespace {

TEST(LoadBroadcasterConfig, EmptyMappingGivesDefaults) {
  unit_test::TempFile file("broadcaster.yaml", "{}\n");
  absl::StatusOr<BroadcasterConfig> config = LoadBroadcasterConfig(file.path());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server.listen, "127.0.0.1:50053");
  EXPECT_EQ(config->server.metrics_listen, "127.0.0.1:9103");
  EXPECT_EQ(config->server.shutdown_grace, absl::Seconds(2));
  EXPECT_EQ(config->log.level, "info");
  EXPECT_EQ(config->history_max_messages_per_room, 1000);
  EXPECT_EQ(config->subscriber_max_queued_messages, 1024);
  EXPECT_EQ(config->subscriber_max_queued_bytes, 4 << 20);
}

TEST(LoadBroadcasterConfig, DeployFileIsValid) {
  const std::string path = std::string(PARLEY_DEPLOY_CONFIG_DIR) + "/broadcaster.yaml";
  absl::StatusOr<BroadcasterConfig> config = LoadBroadcasterConfig(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server.listen, "127.0.0.1:50053");
  EXPECT_EQ(config->server.metrics_listen, "127.0.0.1:9103");
  EXPECT_EQ(config->history_max_messages_per_room, 1000);
  EXPECT_EQ(config->subscriber_max_queued_messages, 1024);
  EXPECT_EQ(config->subscriber_max_queued_bytes, 4 << 20);
}

TEST(LoadBroadcasterConfig, FullFileOverridesDefaults) {
  unit_test::TempFile file("broadcaster.yaml",
                           "server:\n"
                           "  listen: 127.0.0.1:7000\n"
                           "  metrics_listen: 127.0.0.1:7001\n"
                           "  drain_timeout: 1s\n"
                           "log:\n"
                           "  level: warn\n"
                           "history:\n"
                           "  max_messages_per_room: 0\n"
                           "subscribers:\n"
                           "  max_queued_messages: 3\n"
                           "  max_queued_bytes: 65536\n");
  absl::StatusOr<BroadcasterConfig> config = LoadBroadcasterConfig(file.path());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server.listen, "127.0.0.1:7000");
  EXPECT_EQ(config->server.drain_timeout, absl::Seconds(1));
  EXPECT_EQ(config->log.level, "warn");
  EXPECT_EQ(config->history_max_messages_per_room, 0);
  EXPECT_EQ(config->subscriber_max_queued_messages, 3);
  EXPECT_EQ(config->subscriber_max_queued_bytes, 65536);
}

TEST(LoadBroadcasterConfig, UnknownKeyNamesFileLine) {
  unit_test::TempFile file("broadcaster.yaml",
                           "history:\n  max_messages_per_room: 5\nsubscriber:\n  max: 1\n");
  absl::StatusOr<BroadcasterConfig> config = LoadBroadcasterConfig(file.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message(), file.path() + ":3: key 'subscriber': unknown key");
}

TEST(LoadBroadcasterConfig, ZeroQueueRejected) {
  unit_test::TempFile file("broadcaster.yaml", "subscribers:\n  max_queued_messages: 0\n");
  absl::StatusOr<BroadcasterConfig> config = LoadBroadcasterConfig(file.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file.path() +
                ":2: key 'subscribers.max_queued_messages': value 0 is out of range [1, 10000000]");
}

TEST(LoadBroadcasterConfig, QueueBytesRange) {
  unit_test::TempFile file("broadcaster.yaml", "subscribers:\n  max_queued_bytes: 1023\n");
  absl::StatusOr<BroadcasterConfig> config = LoadBroadcasterConfig(file.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file.path() +
                ":2: key 'subscribers.max_queued_bytes': value 1023 is out of range [1024, "
                "1073741824]");
}

}  // namespace
}  // namespace parley::broadcaster
