#include "parley/config/common.h"

#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace parley::config {
namespace {

constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();

// Checks the "host:port" form without resolving the host.
void CheckAddress(MappingReader& reader, absl::string_view key, const std::string& address) {
  size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 || port > 65535) {
    reader.Fail(key, "expected host:port with a port from 0 to 65535, got '" + address + "'");
  }
}

}  // namespace

void ReadServer(MappingReader& reader, ServerConfig* config) {
  reader.Read("listen", &config->listen);
  CheckAddress(reader, "listen", config->listen);
  reader.Read("metrics_listen", &config->metrics_listen);
  CheckAddress(reader, "metrics_listen", config->metrics_listen);
  reader.Read("drain_timeout", &config->drain_timeout, absl::ZeroDuration(), absl::Hours(1));
  reader.Read("shutdown_grace", &config->shutdown_grace, absl::ZeroDuration(),
              absl::Minutes(5));
  reader.Read("max_message_bytes", &config->max_message_bytes, 1024, 64 << 20);
  reader.Read("keepalive_time", &config->keepalive_time, absl::Seconds(1), absl::Hours(24));
  reader.Read("keepalive_timeout", &config->keepalive_timeout, absl::Seconds(1),
              absl::Minutes(10));
  reader.Read("min_client_ping_interval", &config->min_client_ping_interval, absl::Seconds(1),
              absl::Hours(24));
}

void ReadLog(MappingReader& reader, LogConfig* config) {
  reader.ReadOneOf("level", {"trace", "debug", "info", "warn", "error"}, &config->level);
  reader.ReadOneOf("format", {"text", "json"}, &config->format);
}

void ReadLink(MappingReader& reader, LinkConfig* config) {
  reader.Read("target", &config->target);
  CheckAddress(reader, "target", config->target);
  reader.Read("max_pending", &config->max_pending, 1, kMaxInt64);
  MappingReader& reconnect = reader.Child("reconnect");
  reconnect.Read("initial_backoff", &config->reconnect.initial, absl::Milliseconds(1),
                 absl::Minutes(1));
  reconnect.Read("max_backoff", &config->reconnect.max, absl::Milliseconds(1),
                 absl::Minutes(10));
  if (config->reconnect.max < config->reconnect.initial) {
    reconnect.Fail("max_backoff", "must not be smaller than initial_backoff");
  }
}

}  // namespace parley::config
