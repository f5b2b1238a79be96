// parley-broadcaster: fans committed messages out to subscribers.

#include <iostream>

#include "broadcaster_service.h"
#include "config.h"
#include "parley/runtime/command_line.h"
#include "parley/runtime/logging.h"
#include "parley/runtime/service_host.h"

int main(int argc, char** argv) {
  parley::runtime::BlockShutdownSignals();
  int exit_code = 0;
  auto arguments = parley::runtime::ParseServiceArguments(
      argc, argv, "parley-broadcaster", "/etc/parley/broadcaster.yaml", &exit_code);
  if (!arguments) return exit_code;

  auto config = parley::broadcaster::LoadBroadcasterConfig(arguments->config_path);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 2;
  }
  if (arguments->check_config) {
    std::cout << arguments->config_path << ": valid\n";
    return 0;
  }

  parley::runtime::SetUpLogging("broadcaster", config->log);
  parley::runtime::ServiceHost host("broadcaster", config->server);
  parley::broadcaster::BroadcasterService service(*config, host);
  if (auto status = host.Start(service); !status.ok()) {
    spdlog::critical("cannot start: {}", status.message());
    return 1;
  }
  return host.RunUntilSignal();
}
