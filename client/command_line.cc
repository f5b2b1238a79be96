#include "command_line.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

namespace parley::client {
namespace {

// Upper bound of --timeout-ms, one day, which keeps deadlines far from
// clock overflow.
constexpr int64_t kMaxTimeoutMs = 24 * 60 * 60 * 1000;

// Accepts a decimal integer from 0 to 2^64-1. CLI11 2.1 parses unsigned
// options with strtoull, which turns "-1" into 2^64-1 and saturates values
// that are too large instead of rejecting them.
const CLI::Validator kUnsignedInteger(
    [](std::string& value) -> std::string {
      uint64_t parsed = 0;
      const char* end = value.data() + value.size();
      const auto [stop, error] = std::from_chars(value.data(), end, parsed);
      if (!value.empty() && error == std::errc() && stop == end) return "";
      return "Value " + value + " is not an integer from 0 to " +
             std::to_string(std::numeric_limits<uint64_t>::max());
    },
    "");

void AddTimeoutOption(CLI::App& command, int64_t& timeout_ms, const std::string& description) {
  command.add_option("--timeout-ms", timeout_ms, description)
      ->check(CLI::Range(int64_t{1}, kMaxTimeoutMs))
      ->capture_default_str();
}

void DefineGlobalOptions(CLI::App& app, GlobalOptions& global) {
  app.add_option("--intake", global.intake_address,
                 "Intake address as HOST:PORT (or any gRPC target)")
      ->envname("PARLEY_INTAKE")
      ->capture_default_str();
  app.add_option("--broadcaster", global.broadcaster_address,
                 "Broadcaster address as HOST:PORT (or any gRPC target)")
      ->envname("PARLEY_BROADCASTER")
      ->capture_default_str();
}

CLI::App* DefineSendCommand(CLI::App& app, SendOptions& send) {
  CLI::App* command = app.add_subcommand("send", "Send one message to a room through intake");
  command->add_option("--room", send.room, "Room to send to")->required();
  command->add_option("--sender", send.sender, "Nickname of the sender")->required();
  command->add_option("--id", send.client_message_id,
                      "Client message id, unique per sender; a retry with the same id is not "
                      "stored twice (default: intake generates one)");
  AddTimeoutOption(*command, send.timeout_ms, "Deadline of the call in milliseconds");
  command->add_option("text", send.text, "Message text")->required();
  return command;
}

CLI::App* DefineSubscribeCommand(CLI::App& app, SubscribeOptions& subscribe) {
  CLI::App* command =
      app.add_subcommand("subscribe", "Print the events of rooms as they arrive, one per line");
  command->add_option("--room", subscribe.rooms, "Room to follow; repeat for more rooms")
      ->required();
  command->add_option("--from-seq", subscribe.from_sequence,
                      "First sequence to deliver in every room, replayed from history; 0 "
                      "means live events only")
      ->check(kUnsignedInteger)
      ->capture_default_str();
  command->add_flag("--json", subscribe.json, "Print one JSON object per line");
  command->add_option("--count", subscribe.count,
                      "Exit after this many message events (default: no limit)")
      ->check(kUnsignedInteger)
      ->check(CLI::Range(uint64_t{1}, std::numeric_limits<uint64_t>::max()));
  command->add_flag("--resume,!--no-resume", subscribe.resume,
                    "Reconnect after a retryable stream failure and resume each room after "
                    "the last sequence seen (default: on)");
  return command;
}

CLI::App* DefineChatCommand(CLI::App& app, ChatOptions& chat) {
  CLI::App* command = app.add_subcommand(
      "chat",
      "Chat in a room: print its events and send each line read from stdin; on a terminal, "
      "edit lines and use /join, /leave, /who, /history, /me and /quit");
  command->add_option("--room", chat.room, "Room to chat in")->required();
  command->add_option("--sender", chat.sender, "Nickname of the sender")->required();
  AddTimeoutOption(*command, chat.timeout_ms,
                   "Deadline of each send, and of connecting to the broadcaster, in "
                   "milliseconds");
  return command;
}

CLI::App* DefineHealthCommand(CLI::App& app, HealthOptions& health) {
  CLI::App* command = app.add_subcommand(
      "health", "Check a server with grpc.health.v1.Health/Check; exit 0 only if SERVING");
  command->add_option("--target", health.target,
                      "Server address as HOST:PORT (default: the --intake address)");
  command->add_option("--service", health.service,
                      "Service name to check (default: the server as a whole)");
  AddTimeoutOption(*command, health.timeout_ms, "Deadline of the call in milliseconds");
  return command;
}

}  // namespace

void DefineCommandLine(CLI::App& app, CommandLine& command_line) {
  app.require_subcommand(1);
  DefineGlobalOptions(app, command_line.global);
  command_line.send_command = DefineSendCommand(app, command_line.send);
  command_line.subscribe_command = DefineSubscribeCommand(app, command_line.subscribe);
  command_line.chat_command = DefineChatCommand(app, command_line.chat);
  command_line.health_command = DefineHealthCommand(app, command_line.health);

  // Lets the global options also follow the subcommand name.
  for (CLI::App* command : app.get_subcommands({})) command->fallthrough();
}

}  // namespace parley::client
