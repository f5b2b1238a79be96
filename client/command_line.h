#ifndef PARLEY_CLIENT_COMMAND_LINE_H_
#define PARLEY_CLIENT_COMMAND_LINE_H_

#include <CLI/CLI.hpp>

#include "options.h"

namespace parley::client {

// Values parsed from the command line, and the subcommands they belong to.
struct CommandLine {
  GlobalOptions global;
  SendOptions send;
  SubscribeOptions subscribe;
  ChatOptions chat;
  HealthOptions health;

  CLI::App* send_command = nullptr;
  CLI::App* subscribe_command = nullptr;
  CLI::App* chat_command = nullptr;
  CLI::App* health_command = nullptr;
};

// Defines the global options and the subcommands of `app`, storing parsed
// values in `command_line`, which must outlive `app`.
void DefineCommandLine(CLI::App& app, CommandLine& command_line);

}  // namespace parley::client

#endif  // PARLEY_CLIENT_COMMAND_LINE_H_
