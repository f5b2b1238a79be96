#ifndef PARLEY_CLIENT_CHANNEL_H_
#define PARLEY_CLIENT_CHANNEL_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <grpcpp/channel.h>

namespace parley::client {

// Largest response message the client accepts, in bytes.
inline constexpr int kMaxReceiveMessageBytes = 4 * 1024 * 1024;

// Creates an insecure channel to `target` (a gRPC target such as
// "127.0.0.1:50051") that accepts responses up to kMaxReceiveMessageBytes.
std::shared_ptr<grpc::Channel> CreateClientChannel(const std::string& target);

// Returns the point in time `timeout_ms` milliseconds from now.
std::chrono::system_clock::time_point DeadlineAfter(int64_t timeout_ms);

}  // namespace parley::client

#endif  // PARLEY_CLIENT_CHANNEL_H_
