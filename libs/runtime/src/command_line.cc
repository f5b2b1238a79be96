#include "parley/runtime/command_line.h"

#include "CLI/CLI.hpp"

namespace parley::runtime {

std::optional<ServiceArguments> ParseServiceArguments(int argc, char** argv,
                                                      const std::string& program,
                                                      const std::string& default_config,
                                                      int* exit_code) {
  ServiceArguments arguments{default_config, false};
  CLI::App app{"Parley " + program + " service", program};
  app.add_option("--config", arguments.config_path, "YAML config file")
      ->capture_default_str();
  app.add_flag("--check-config", arguments.check_config,
               "Validate the config file, print the result and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    *exit_code = app.exit(error);
    return std::nullopt;
  }
  return arguments;
}

}  // namespace parley::runtime
