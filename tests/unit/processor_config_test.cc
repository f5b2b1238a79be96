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

TEST(LoadProcessorConfig, ModerationOffByDefault) {
  unit_test::TempFile file("processor.yaml", "{}\n");
  absl::StatusOr<ProcessorConfig> config = LoadProcessorConfig(file.path());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->moderation.action, ModerationAction::kOff);
  EXPECT_TRUE(config->moderation.words.empty());
}

TEST(LoadProcessorConfig, ModerationWordsAndFile) {
  unit_test::TempFile words("moderation_words.txt", "# one word per line\n\n  Heck  \nblast\n");
  // A relative words_file is resolved against the config file's folder.
  const std::string relative = words.path().substr(words.path().rfind('/') + 1);
  unit_test::TempFile file("processor.yaml", "moderation:\n"
                                             "  action: mask\n"
                                             "  words: [darn, Drat]\n"
                                             "  words_file: " + relative + "\n");
  absl::StatusOr<ProcessorConfig> config = LoadProcessorConfig(file.path());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->moderation.action, ModerationAction::kMask);
  EXPECT_TRUE(config->moderation.words.Matches("DARN"));
  EXPECT_TRUE(config->moderation.words.Matches("drat"));
  EXPECT_TRUE(config->moderation.words.Matches("heck"));
  EXPECT_TRUE(config->moderation.words.Matches("Blast"));
  EXPECT_FALSE(config->moderation.words.Matches("one word per line"));
}

TEST(LoadProcessorConfig, ModerationReject) {
  unit_test::TempFile file("processor.yaml", "moderation:\n  action: reject\n  words: [darn]\n");
  absl::StatusOr<ProcessorConfig> config = LoadProcessorConfig(file.path());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->moderation.action, ModerationAction::kReject);
}

TEST(LoadProcessorConfig, ModerationUnknownAction) {
  unit_test::TempFile file("processor.yaml", "moderation:\n  action: delete\n  words: [darn]\n");
  absl::StatusOr<ProcessorConfig> config = LoadProcessorConfig(file.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file.path() + ":2: key 'moderation.action': invalid value 'delete', expected one "
                          "of: off, reject, mask");
}

TEST(LoadProcessorConfig, ModerationActionNeedsWords) {
  unit_test::TempFile file("processor.yaml", "moderation:\n  action: reject\n");
  absl::StatusOr<ProcessorConfig> config = LoadProcessorConfig(file.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file.path() + ":2: key 'moderation.action': is 'reject' but moderation.words and "
                          "moderation.words_file list no words");
}

TEST(LoadProcessorConfig, ModerationWordMustBeOneWord) {
  unit_test::TempFile file("processor.yaml",
                           "moderation:\n  action: mask\n  words: [fine, two words]\n");
  absl::StatusOr<ProcessorConfig> config = LoadProcessorConfig(file.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file.path() + ":3: key 'moderation.words': words[1]: must be one word of letters, "
                          "combining marks and digits");
}

TEST(LoadProcessorConfig, ModerationBadWordsFile) {
  unit_test::TempFile words("bad_words.txt", "fine\nnot fine\n");
  unit_test::TempFile file("processor.yaml", "moderation:\n  action: mask\n  words_file: " +
                                                 words.path() + "\n");
  absl::StatusOr<ProcessorConfig> config = LoadProcessorConfig(file.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file.path() + ":3: key 'moderation.words_file': " + words.path() +
                ":2: must be one word of letters, combining marks and digits");
}

TEST(LoadProcessorConfig, ModerationMissingWordsFile) {
  unit_test::TempFile file("processor.yaml",
                           "moderation:\n  words_file: /nonexistent/parley/words.txt\n");
  absl::StatusOr<ProcessorConfig> config = LoadProcessorConfig(file.path());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file.path() + ":2: key 'moderation.words_file': cannot open "
                          "/nonexistent/parley/words.txt: No such file or directory");
}

}  // namespace
}  // namespace parley::processor
