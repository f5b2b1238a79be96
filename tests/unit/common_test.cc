#include "parley/config/common.h"

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parley::config {
namespace {

using ::testing::HasSubstr;

constexpr char kFile[] = "service.yaml";

MappingReader ReaderFor(const std::string& text) {
  absl::StatusOr<YAML::Node> root = LoadYamlString(text, kFile);
  EXPECT_TRUE(root.ok()) << root.status();
  return MappingReader(kFile, root.ok() ? *root : YAML::Node(YAML::NodeType::Map));
}

TEST(ReadServer, ReadsEveryKey) {
  MappingReader reader = ReaderFor(
      "server:\n"
      "  listen: 0.0.0.0:7000\n"
      "  metrics_listen: '[::1]:7001'\n"
      "  drain_timeout: 3s\n"
      "  shutdown_grace: 500ms\n"
      "  max_message_bytes: 2048\n"
      "  keepalive_time: 5s\n"
      "  keepalive_timeout: 2s\n"
      "  min_client_ping_interval: 1m\n");
  ServerConfig server;
  ReadServer(reader.Child("server"), &server);
  ASSERT_TRUE(reader.Finish().ok());
  EXPECT_EQ(server.listen, "0.0.0.0:7000");
  EXPECT_EQ(server.metrics_listen, "[::1]:7001");
  EXPECT_EQ(server.drain_timeout, absl::Seconds(3));
  EXPECT_EQ(server.shutdown_grace, absl::Milliseconds(500));
  EXPECT_EQ(server.max_message_bytes, 2048);
  EXPECT_EQ(server.keepalive_time, absl::Seconds(5));
  EXPECT_EQ(server.keepalive_timeout, absl::Seconds(2));
  EXPECT_EQ(server.min_client_ping_interval, absl::Minutes(1));
}

TEST(ReadServer, KeepaliveDefaults) {
  MappingReader reader = ReaderFor("server: {}\n");
  ServerConfig server{.listen = "a:1", .metrics_listen = "a:2"};
  ReadServer(reader.Child("server"), &server);
  ASSERT_TRUE(reader.Finish().ok());
  EXPECT_EQ(server.keepalive_time, absl::Seconds(30));
  EXPECT_EQ(server.keepalive_timeout, absl::Seconds(10));
  EXPECT_EQ(server.min_client_ping_interval, absl::Seconds(10));
}

TEST(ReadServer, KeepaliveOutOfRange) {
  MappingReader reader = ReaderFor("server:\n  keepalive_time: 500ms\n");
  ServerConfig server{.listen = "a:1", .metrics_listen = "a:2"};
  ReadServer(reader.Child("server"), &server);
  EXPECT_EQ(std::string(reader.Finish().message()),
            "service.yaml:2: key 'server.keepalive_time': duration 500ms is out of range [1s, 24h]");
}

TEST(ReadServer, BadAddressesRejected) {
  const std::vector<std::string> addresses = {"localhost", ":80", "host:port", "host:65536",
                                              "host:-1"};
  for (const std::string& address : addresses) {
    MappingReader reader = ReaderFor("server:\n  listen: '" + address + "'\n");
    ServerConfig server{.listen = "a:1", .metrics_listen = "a:2"};
    ReadServer(reader.Child("server"), &server);
    absl::Status status = reader.Finish();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << address;
    EXPECT_EQ(status.message(),
              "service.yaml:2: key 'server.listen': expected host:port with a port from 0 to "
              "65535, got '" +
                  address + "'")
        << address;
  }
}

TEST(ReadServer, MessageSizeOutOfRange) {
  MappingReader reader = ReaderFor("server:\n  max_message_bytes: 100\n");
  ServerConfig server{.listen = "a:1", .metrics_listen = "a:2"};
  ReadServer(reader.Child("server"), &server);
  EXPECT_EQ(reader.Finish().message(),
            "service.yaml:2: key 'server.max_message_bytes': value 100 is out of range [1024, "
            "67108864]");
}

TEST(ReadLog, RejectsUnknownLevel) {
  MappingReader reader = ReaderFor("log:\n  level: verbose\n  format: json\n");
  LogConfig log;
  ReadLog(reader.Child("log"), &log);
  EXPECT_EQ(reader.Finish().message(),
            "service.yaml:2: key 'log.level': invalid value 'verbose', expected one of: trace, "
            "debug, info, warn, error");
  EXPECT_EQ(log.level, "info");
  EXPECT_EQ(log.format, "json");
}

TEST(ReadLink, ReadsReconnect) {
  MappingReader reader = ReaderFor(
      "link:\n"
      "  target: next:9000\n"
      "  max_pending: 5\n"
      "  reconnect:\n"
      "    initial_backoff: 20ms\n"
      "    max_backoff: 2s\n");
  LinkConfig link;
  ReadLink(reader.Child("link"), &link);
  ASSERT_TRUE(reader.Finish().ok());
  EXPECT_EQ(link.target, "next:9000");
  EXPECT_EQ(link.max_pending, 5);
  EXPECT_EQ(link.reconnect.initial, absl::Milliseconds(20));
  EXPECT_EQ(link.reconnect.max, absl::Seconds(2));
}

TEST(ReadLink, MaxBelowInitialRejected) {
  MappingReader reader = ReaderFor(
      "link:\n"
      "  target: next:9000\n"
      "  reconnect:\n"
      "    initial_backoff: 2s\n"
      "    max_backoff: 1s\n");
  LinkConfig link;
  ReadLink(reader.Child("link"), &link);
  EXPECT_EQ(reader.Finish().message(),
            "service.yaml:5: key 'link.reconnect.max_backoff': must not be smaller than "
            "initial_backoff");
}

TEST(ReadLink, ZeroMaxPendingRejected) {
  MappingReader reader = ReaderFor("link:\n  target: next:9000\n  max_pending: 0\n");
  LinkConfig link;
  ReadLink(reader.Child("link"), &link);
  EXPECT_THAT(std::string(reader.Finish().message()),
              HasSubstr("key 'link.max_pending': value 0 is out of range [1, "));
}

}  // namespace
}  // namespace parley::config
