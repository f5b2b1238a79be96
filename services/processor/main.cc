// parley-processor: sequences accepted messages and hands them to
// broadcaster.

#include <iostream>

#include "config.h"
#include "parley/runtime/command_line.h"
#include "parley/runtime/logging.h"
#include "parley/runtime/service_host.h"
#include "processor_service.h"

int main(int argc, char** argv) {
  parley::runtime::BlockShutdownSignals();
  int exit_code = 0;
  auto arguments = parley::runtime::ParseServiceArguments(
      argc, argv, "parley-processor", "/etc/parley/processor.yaml", &exit_code);
  if (!arguments) return exit_code;

  auto config = parley::processor::LoadProcessorConfig(arguments->config_path);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 2;
  }
  if (arguments->check_config) {
    std::cout << arguments->config_path << ": valid\n";
    return 0;
  }

  parley::runtime::SetUpLogging("processor", config->log);
  parley::runtime::ServiceHost host("processor", config->server);
  parley::processor::ProcessorService service(*config, host);
  if (auto status = host.Start(service); !status.ok()) {
    spdlog::critical("cannot start: {}", status.message());
    return 1;
  }
  return host.RunUntilSignal();
}
