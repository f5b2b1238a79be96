#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "temp_file.h"

namespace parley::processor {
namespace {

using ::testing::StartsWith;

TEST(LoadProcessorConfig, EmptyMappingGivesDefaults) {
  unit_test::TempFile file("processor.yaml", "{}\n");
  absl::StatusOr<ProcessorConfig> config = LoadProcessorConfig(file.path());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server.listen, "127.0.0.1:50052");
  EXPECT_EQ(config->server.metrics_listen, "127.0.0.1:9102");
  EXPECT_EQ(config->server.drain_timeout, absl::Seconds(10));
  EXPECT_EQ(config->log.level, "info");
  EXPECT_EQ(config->log.format, "text");
  EXPECT_EQ(config->broadcaster.target, "127.0.0.1:50053");
  EXPECT_EQ(config->broadcaster.max_pending, 10000);
  EXPECT_EQ(config->broadcaster.reconnect.initial, absl::Milliseconds(100));
  EXPECT_EQ(config->broadcaster.reconnect.max, absl::Seconds(5));
  EXPECT_EQ(config->dedup_window, absl::Minutes(10));
  EXPECT_EQ(config->dedup_max_entries, 100'000);
  EXPECT_EQ(config->replay_max_messages_per_room, 1000);
  EXPECT_EQ(config->queue_capacity, 1024);
  EXPECT_EQ(config->commit_delay, absl::ZeroDuration());
}

TEST(LoadProcessorConfig, EmptyFileGivesDefaults) {
  unit_test::TempFile file("processor.yaml", "");
  absl::StatusOr<ProcessorConfig> config = LoadProcessorConfig(file.path());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server.listen, "127.0.0.1:50052");
  EXPECT_EQ(config->queue_capacity, 1024);
}

TEST(LoadProcessorConfig, DeployFileIsValid) {
  const std::string path = std::string(PARLEY_DEPLOY_CONFIG_DIR) + "/processor.yaml";
  absl::StatusOr<ProcessorConfig> config = LoadProcessorConfig(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server.listen, "127.0.0.1:50052");
  EXPECT_EQ(config->server.metrics_listen, "127.0.0.1:9102");
  EXPECT_EQ(config->server.max_message_bytes, 1 << 20);
  EXPECT_EQ(config->broadcaster.target, "127.0.0.1:50053");
  EXPECT_EQ(config->dedup_window, absl::Minutes(10));
  EXPECT_EQ(config->commit_delay, absl::ZeroDuration());
}

TEST(LoadProcessorConfig, FullFileOverridesDefaults) {
  unit_test::TempFile file("processor.yaml",
                           "server:\n"
                           "  listen: 127.0.0.1:6000\n"
                           "  metrics_listen: 127.0.0.1:6001\n"
                           "log:\n"
                           "  level: debug\n"
                           "  format: json\n"
                           "broadcaster:\n"
                           "  target: 127.0.0.1:6002\n"
                           "  max_pending: 50\n"
                           "  reconnect:\n"
                           "    initial_backoff: 10ms\n"
                           "    max_backoff: 1s\n"
                           "dedup:\n"
                           "  window: 30s\n"
                           "  max_entries: 500\n"
                           "replay:\n"
                           "  max_messages_per_room: 0\n"
                           "queue_capacity: 16\n"
                           "commit_delay: 250ms\n");
  absl::StatusOr<ProcessorConfig> config = LoadProcessorConfig(file.path());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server.listen, "127.0.0.1:6000");
  EXPECT_EQ(config->log.level, "debug");
  EXPECT_EQ(config->log.format, "json");
  EXPECT_EQ(config->broadcaster.target, "127.0.0.1:6002");
  EXPECT_EQ(config->broadcaster.max_pending, 50);
  EXPECT_EQ(config->broadcaster.reconnect.initial, absl::Milliseconds(10));
  EXPECT_EQ(config->broadcaster.reconnect.max, absl::Seconds(1));
  EXPECT_EQ(config->dedup_window, absl::Seconds(30));
  EXPECT_EQ(config->dedup_max_entries, 500);
  EXPECT_EQ(config->replay_max_messages_per_room, 0);
  EXPECT_EQ(config->queue_capacity, 16);
  EXPECT_EQ(config->commit_delay, absl::Milliseconds(250));
}

TEST(LoadProcessorConfig, UnknownKeyNamesFileLine) {
  unit_test::TempFile file("processor.yaml", "queue_capacity: 8\ndedup:\n  windw: 5m\n");
  absl::StatusOr<ProcessorConfig> config = LoadProcessorConfig(file.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message(), file.path() + ":3: key 'dedup.windw': unknown key");
}

TEST(LoadProcessorConfig, DedupWindowOutOfRange) {
  unit_test::TempFile file("processor.yaml", "dedup:\n  window: 100ms\n");
  absl::StatusOr<ProcessorConfig> config = LoadProcessorConfig(file.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file.path() + ":2: key 'dedup.window': duration 100ms is out of range [1s, 24h]");
}

TEST(LoadProcessorConfig, MissingFileRejected) {
  absl::StatusOr<ProcessorConfig> config =
      LoadProcessorConfig("/nonexistent/parley/processor.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              StartsWith("/nonexistent/parley/processor.yaml: cannot open"));
}

}  // namespace
}  // namespace parley::processor
