#ifndef PARLEY_RUNTIME_SERVICE_MAIN_H_
#define PARLEY_RUNTIME_SERVICE_MAIN_H_

// The main() of every Parley service binary.

#include <iostream>
#include <string>

#include "absl/status/statusor.h"
#include "parley/config/effective_values.h"
#include "parley/runtime/command_line.h"
#include "parley/runtime/logging.h"
#include "parley/runtime/service_host.h"
#include "parley/runtime/shutdown_signals.h"

namespace parley::runtime {

// Runs service `name`: blocks the shutdown signals before any thread
// starts, reads --config (default /etc/parley/<name>.yaml) with `load`,
// handles --check-config, logs every config key with its effective value
// (secrets redacted), then starts a ServiceType on a ServiceHost and serves
// until SIGTERM. Returns the exit code: 2 for a bad command line or config,
// 1 when the service cannot start, 0 after a graceful stop.
template <typename Config, typename ServiceType>
int ServiceMain(int argc, char** argv, const std::string& name,
                absl::StatusOr<Config> (*load)(const std::string& path)) {
  BlockShutdownSignals();
  int exit_code = 0;
  auto arguments = ParseServiceArguments(argc, argv, "parley-" + name,
                                         "/etc/parley/" + name + ".yaml", &exit_code);
  if (!arguments) return exit_code;

  config::EffectiveValues effective;
  absl::StatusOr<Config> config = load(arguments->config_path);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 2;
  }
  if (arguments->check_config) {
    std::cout << arguments->config_path << ": valid\n";
    return 0;
  }

  SetUpLogging(name, config->log);
  Logger(name)->info("configuration from {}: {}", arguments->config_path, effective.ToString());
  ServiceHost host(name, config->server);
  ServiceType service(*config, host);
  if (absl::Status status = host.Start(service); !status.ok()) {
    spdlog::critical("cannot start: {}", status.message());
    return 1;
  }
  return host.RunUntilSignal();
}

}  // namespace parley::runtime

#endif  // PARLEY_RUNTIME_SERVICE_MAIN_H_
