#ifndef PARLEY_CONFIG_COMMON_H_
#define PARLEY_CONFIG_COMMON_H_

// Config sections that every service shares: its servers, its logs and,
// for intake and processor, the link to the next stage.

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "parley/base/backoff.h"
#include "parley/config/mapping_reader.h"

namespace parley::config {

struct ServerConfig {
  std::string listen;          // host:port of the gRPC server
  std::string metrics_listen;  // host:port of the Prometheus /metrics endpoint
  // Time allowed for work in flight to finish after SIGTERM.
  absl::Duration drain_timeout = absl::Seconds(10);
  // Time Server::Shutdown waits for calls still open after the drain.
  absl::Duration shutdown_grace = absl::Seconds(2);
  int64_t max_message_bytes = 1 << 20;
  // The server pings each client connection every keepalive_time and
  // closes it when no ack comes within keepalive_timeout. That ends the
  // calls of a client whose host or network went away without a FIN.
  absl::Duration keepalive_time = absl::Seconds(30);
  absl::Duration keepalive_timeout = absl::Seconds(10);
  // Shortest client ping interval the server accepts. A client that pings
  // more often gets GOAWAY too_many_pings. Parley's own clients ping every
  // 20 s.
  absl::Duration min_client_ping_interval = absl::Seconds(10);
};

struct LogConfig {
  std::string level = "info";  // trace, debug, info, warn, error
  std::string format = "text";  // text or json
};

// The link from a stage to the next one: target address, queue bound and
// reconnect backoff.
struct LinkConfig {
  std::string target;  // host:port of the next stage
  // Items waiting for an outcome; more are rejected with UNAVAILABLE.
  int64_t max_pending = 10000;
  BackoffPolicy reconnect;
};

void ReadServer(MappingReader& reader, ServerConfig* config);
void ReadLog(MappingReader& reader, LogConfig* config);
void ReadLink(MappingReader& reader, LinkConfig* config);

}  // namespace parley::config

#endif  // PARLEY_CONFIG_COMMON_H_
