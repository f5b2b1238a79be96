#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "config.h"
#include "gtest/gtest.h"
#include "temp_file.h"

namespace parley::intake {
namespace {

TEST(LoadIntakeConfig, EmptyMappingGivesDefaults) {
  unit_test::TempFile file("intake.yaml", "{}\n");
  absl::StatusOr<IntakeConfig> config = LoadIntakeConfig(file.path());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server.listen, "127.0.0.1:50051");
  EXPECT_EQ(config->server.metrics_listen, "127.0.0.1:9101");
  EXPECT_EQ(config->processor.target, "127.0.0.1:50052");
  EXPECT_EQ(config->processor.max_pending, 10000);
  EXPECT_EQ(config->default_timeout, absl::Seconds(10));
  EXPECT_EQ(config->limits.room_max_bytes, 64u);
  EXPECT_EQ(config->limits.sender_max_bytes, 32u);
  EXPECT_EQ(config->limits.text_max_bytes, 4096u);
  EXPECT_EQ(config->limits.client_message_id_max_bytes, 128u);
  EXPECT_EQ(config->rate_limit.messages_per_second, 0) << "off by default";
  EXPECT_EQ(config->rate_limit.burst, 20);
  EXPECT_EQ(config->rate_limit.max_senders, 100'000);
}

TEST(LoadIntakeConfig, DeployFileIsValid) {
  const std::string path = std::string(PARLEY_DEPLOY_CONFIG_DIR) + "/intake.yaml";
  absl::StatusOr<IntakeConfig> config = LoadIntakeConfig(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server.listen, "127.0.0.1:50051");
  EXPECT_EQ(config->processor.target, "127.0.0.1:50052");
  EXPECT_EQ(config->processor.reconnect.initial, absl::Milliseconds(100));
  EXPECT_EQ(config->processor.reconnect.max, absl::Seconds(5));
  EXPECT_EQ(config->default_timeout, absl::Seconds(10));
  EXPECT_EQ(config->limits.text_max_bytes, 4096u);
  EXPECT_EQ(config->rate_limit.messages_per_second, 5);
  EXPECT_EQ(config->rate_limit.burst, 20);
}

TEST(LoadIntakeConfig, FullFileOverridesDefaults) {
  unit_test::TempFile file("intake.yaml",
                           "server:\n"
                           "  listen: 127.0.0.1:8000\n"
                           "  metrics_listen: 127.0.0.1:8001\n"
                           "  max_message_bytes: 65536\n"
                           "processor:\n"
                           "  target: 127.0.0.1:8002\n"
                           "  max_pending: 7\n"
                           "send:\n"
                           "  default_timeout: 1500ms\n"
                           "limits:\n"
                           "  room_max_bytes: 10\n"
                           "  sender_max_bytes: 11\n"
                           "  text_max_bytes: 12\n");
  absl::StatusOr<IntakeConfig> config = LoadIntakeConfig(file.path());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server.max_message_bytes, 65536);
  EXPECT_EQ(config->processor.target, "127.0.0.1:8002");
  EXPECT_EQ(config->processor.max_pending, 7);
  EXPECT_EQ(config->default_timeout, absl::Milliseconds(1500));
  EXPECT_EQ(config->limits.room_max_bytes, 10u);
  EXPECT_EQ(config->limits.sender_max_bytes, 11u);
  EXPECT_EQ(config->limits.text_max_bytes, 12u);
}

TEST(LoadIntakeConfig, UnknownKeyNamesFileLine) {
  unit_test::TempFile file("intake.yaml", "limits:\n  room_max_bytes: 10\n  text_bytes: 5\n");
  absl::StatusOr<IntakeConfig> config = LoadIntakeConfig(file.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message(), file.path() + ":3: key 'limits.text_bytes': unknown key");
}

TEST(LoadIntakeConfig, TextLimitMustFitMessage) {
  unit_test::TempFile file("intake.yaml",
                           "server:\n  max_message_bytes: 8192\nlimits:\n  text_max_bytes: 4097\n");
  absl::StatusOr<IntakeConfig> config = LoadIntakeConfig(file.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file.path() +
                ":4: key 'limits.text_max_bytes': must be at least 4096 bytes below "
                "server.max_message_bytes");
}

TEST(LoadIntakeConfig, ErrorsReportedTogether) {
  unit_test::TempFile file("intake.yaml",
                           "processor:\n"
                           "  target: nowhere\n"
                           "send:\n"
                           "  default_timeout: 0s\n"
                           "log:\n"
                           "  format: xml\n");
  absl::StatusOr<IntakeConfig> config = LoadIntakeConfig(file.path());
  ASSERT_FALSE(config.ok());
  const std::string path = file.path();
  EXPECT_EQ(config.status().message(),
            path + ":6: key 'log.format': invalid value 'xml', expected one of: text, json\n" +
                path +
                ":2: key 'processor.target': expected host:port with a port from 0 to 65535, "
                "got 'nowhere'\n" +
                path + ":4: key 'send.default_timeout': duration 0 is out of range [1ms, 1h]");
}

TEST(LoadIntakeConfig, RateLimit) {
  unit_test::TempFile file("intake.yaml",
                           "rate_limit:\n"
                           "  messages_per_second: 5\n"
                           "  burst: 10\n"
                           "  max_senders: 1000\n");
  absl::StatusOr<IntakeConfig> config = LoadIntakeConfig(file.path());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->rate_limit.messages_per_second, 5);
  EXPECT_EQ(config->rate_limit.burst, 10);
  EXPECT_EQ(config->rate_limit.max_senders, 1000);
}

TEST(LoadIntakeConfig, RateLimitBurstOutOfRange) {
  unit_test::TempFile file("intake.yaml", "rate_limit:\n  messages_per_second: 5\n  burst: 0\n");
  absl::StatusOr<IntakeConfig> config = LoadIntakeConfig(file.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file.path() + ":3: key 'rate_limit.burst': value 0 is out of range [1, 1000000]");
}

}  // namespace
}  // namespace parley::intake
