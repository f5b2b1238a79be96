#include "parley/config/effective_values.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "parley/config/common.h"
#include "parley/config/mapping_reader.h"

namespace parley::config {
namespace {

using ::testing::Contains;
using ::testing::Pair;

// Reads a server and a log section from `yaml` while recording.
std::vector<std::pair<std::string, std::string>> RecordedValues(const std::string& yaml) {
  EffectiveValues effective;
  auto root = LoadYamlString(yaml, "test.yaml");
  EXPECT_TRUE(root.ok()) << root.status();
  MappingReader reader("test.yaml", *root);
  ServerConfig server{.listen = "127.0.0.1:1", .metrics_listen = "127.0.0.1:2"};
  LogConfig log;
  ReadServer(reader.Child("server"), &server);
  ReadLog(reader.Child("log"), &log);
  EXPECT_TRUE(reader.Finish().ok());
  return effective.values();
}

TEST(EffectiveValues, RecordsFileValuesAndDefaults) {
  auto values = RecordedValues("server:\n  listen: 127.0.0.1:9\n  drain_timeout: 3s\n");
  EXPECT_THAT(values, Contains(Pair("server.listen", "127.0.0.1:9")));
  EXPECT_THAT(values, Contains(Pair("server.drain_timeout", "3s")));
  // Absent keys show the defaults.
  EXPECT_THAT(values, Contains(Pair("server.metrics_listen", "127.0.0.1:2")));
  EXPECT_THAT(values, Contains(Pair("server.shutdown_grace", "2s")));
  EXPECT_THAT(values, Contains(Pair("server.max_message_bytes", "1048576")));
  EXPECT_THAT(values, Contains(Pair("log.level", "info")));
  EXPECT_THAT(values, Contains(Pair("log.format", "text")));

  // Each key once, and only keys of the two sections read.
  std::set<std::string> keys;
  for (const auto& [key, value] : values) {
    EXPECT_TRUE(keys.insert(key).second) << key << " recorded twice";
    EXPECT_TRUE(key.rfind("server.", 0) == 0 || key.rfind("log.", 0) == 0) << key;
  }
}

TEST(EffectiveValues, RedactsSecretsAndQuotes) {
  EffectiveValues effective;
  RecordEffectiveValue("tls.key_password", "hunter2");
  RecordEffectiveValue("auth.api_token", "abc");
  RecordEffectiveValue("motd", "hello \"you\"");
  RecordEffectiveValue("empty", "");
  RecordEffectiveValue("plain", "1s");
  EXPECT_EQ(effective.ToString(),
            "tls.key_password=<redacted> auth.api_token=<redacted> "
            "motd=\"hello \\\"you\\\"\" empty=\"\" plain=1s");
}

TEST(EffectiveValues, ListsShowOnlyTheirSize) {
  EffectiveValues effective;
  auto root = LoadYamlString("words: [a, b, c]\n", "test.yaml");
  ASSERT_TRUE(root.ok()) << root.status();
  MappingReader reader("test.yaml", *root);
  std::vector<std::string> words;
  reader.Read("words", &words);
  EXPECT_EQ(effective.ToString(), "words=\"[3 items]\"");
}

TEST(EffectiveValues, RecordsNothingWithoutRecorder) {
  RecordEffectiveValue("server.listen", "127.0.0.1:9");
  EffectiveValues effective;
  EXPECT_TRUE(effective.values().empty());
}

}  // namespace
}  // namespace parley::config
