// parley: command-line client of the Parley chat system.

#include <clocale>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "chat_command.h"
#include "command_line.h"
#include "health_command.h"
#include "send_command.h"
#include "signal_watcher.h"
#include "subscribe_command.h"
#include "window_resize.h"

namespace {

// Exit status for a command-line usage error.
constexpr int kUsageExitCode = 2;

int RunParsedCommand(const parley::client::CommandLine& command_line, const std::stop_token& stop_token) {
  using namespace parley::client;
  if (command_line.send_command->parsed()) {
    return RunSendCommand(command_line.global, command_line.send, stop_token);
  }
  if (command_line.subscribe_command->parsed()) {
    return RunSubscribeCommand(command_line.global, command_line.subscribe, stop_token);
  }
  if (command_line.chat_command->parsed()) {
    return RunChatCommand(command_line.global, command_line.chat, stop_token);
  }
  return RunHealthCommand(command_line.global, command_line.health, stop_token);
}

}  // namespace

int main(int argc, char** argv) {
  // Must run before any thread starts, gRPC's included.
  parley::client::BlockTerminationSignals();
  parley::client::BlockWindowResizeSignal();
  // libedit decodes typed characters by the locale's character type, and
  // drops non-ASCII input in the default "C" locale. setlocale is not
  // thread-safe, so it runs here too.
  std::setlocale(LC_CTYPE, "");

  CLI::App app("Command-line client of the Parley chat system", "parley");
  app.set_version_flag("--version", "parley " PARLEY_VERSION " (" PARLEY_GIT_REVISION ")");
  parley::client::CommandLine command_line;
  parley::client::DefineCommandLine(app, command_line);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int exit_code = app.exit(error);
    return exit_code == 0 ? 0 : kUsageExitCode;
  }

  try {
    parley::client::SignalWatcher signal_watcher;
    return RunParsedCommand(command_line, signal_watcher.stop_token());
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << std::endl;
    return 1;
  }
}
