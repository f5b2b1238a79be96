#ifndef PARLEY_CLIENT_OPTIONS_H_
#define PARLEY_CLIENT_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace parley::client {

// Options shared by every subcommand. Addresses are gRPC targets, usually
// HOST:PORT.
struct GlobalOptions {
  std::string intake_address = "127.0.0.1:50051";
  std::string broadcaster_address = "127.0.0.1:50053";
};

struct SendOptions {
  std::string room;
  std::string sender;
  std::string text;
  // Empty means intake generates the id, so a retry would be a new message.
  std::string client_message_id;
  int64_t timeout_ms = 10000;
};

struct SubscribeOptions {
  std::vector<std::string> rooms;
  // 0 means live events only.
  uint64_t from_sequence = 0;
  bool json = false;
  // Number of message events after which the command exits; 0 means no
  // limit.
  uint64_t count = 0;
  // Whether a failed stream is reopened from the last sequence seen.
  bool resume = true;
};

struct ChatOptions {
  std::string room;
  std::string sender;
  // Deadline of each Send attempt.
  int64_t timeout_ms = 10000;
};

struct HealthOptions {
  // Empty means the intake address.
  std::string target;
  // Empty means the server as a whole.
  std::string service;
  int64_t timeout_ms = 5000;
};

}  // namespace parley::client

#endif  // PARLEY_CLIENT_OPTIONS_H_
