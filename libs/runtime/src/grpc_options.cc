#include "parley/runtime/grpc_options.h"

#include "grpc/grpc.h"

namespace parley::runtime {
namespace {

constexpr int kClientKeepaliveMs = 20'000;
constexpr int kKeepaliveTimeoutMs = 10'000;

int Milliseconds(absl::Duration duration) {
  return static_cast<int>(absl::ToInt64Milliseconds(duration));
}

}  // namespace

void ApplyServerOptions(grpc::ServerBuilder& builder, const config::ServerConfig& config) {
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(config.max_message_bytes));

  // Server pings find half-open connections, so a vanished subscriber's
  // stream ends (and its presence with it) after about keepalive_time +
  // keepalive_timeout. By default gRPC 1.51 sends at most 2 pings between
  // data frames (GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA), which would stop
  // the checks on an idle stream, so 0 lifts that cap.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, Milliseconds(config.keepalive_time));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             Milliseconds(config.keepalive_timeout));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);

  // Client pings are accepted at min_client_ping_interval, with or without
  // calls. With gRPC's default GRPC_ARG_HTTP2_MAX_PING_STRIKES of 2, a
  // client that pings more often gets GOAWAY too_many_pings.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             Milliseconds(config.min_client_ping_interval));
}

grpc::ChannelArguments ClientChannelArguments(int64_t max_message_bytes) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(static_cast<int>(max_message_bytes));
  arguments.SetMaxSendMessageSize(static_cast<int>(max_message_bytes));
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kClientKeepaliveMs);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  arguments.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  return arguments;
}

}  // namespace parley::runtime
