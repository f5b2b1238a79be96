#ifndef PARLEY_RUNTIME_GRPC_OPTIONS_H_
#define PARLEY_RUNTIME_GRPC_OPTIONS_H_

// Channel arguments shared by Parley's gRPC servers and clients, kept in one
// place so that both sides of every connection agree on keepalive and
// message size limits.

#include <cstdint>

#include "grpcpp/server_builder.h"
#include "grpcpp/support/channel_arguments.h"
#include "parley/config/common.h"

namespace parley::runtime {

// Message size limits, server keepalive pings that detect half-open
// connections, and the rules for client pings (a client pinging more often
// than server.min_client_ping_interval gets GOAWAY too_many_pings).
void ApplyServerOptions(grpc::ServerBuilder& builder, const config::ServerConfig& config);

// Keepalive pings every 20 s, so a dead peer ends a long-lived stream, and
// the same message size limit as the servers.
grpc::ChannelArguments ClientChannelArguments(int64_t max_message_bytes);

}  // namespace parley::runtime

#endif  // PARLEY_RUNTIME_GRPC_OPTIONS_H_
