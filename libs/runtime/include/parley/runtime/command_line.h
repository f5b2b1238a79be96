#ifndef PARLEY_RUNTIME_COMMAND_LINE_H_
#define PARLEY_RUNTIME_COMMAND_LINE_H_

#include <optional>
#include <string>

namespace parley::runtime {

struct ServiceArguments {
  std::string config_path;
  bool check_config = false;
};

// Parses `--config FILE` and `--check-config` for a service binary. On
// --help or a usage error it prints and returns nullopt with `exit_code` set.
std::optional<ServiceArguments> ParseServiceArguments(int argc, char** argv,
                                                      const std::string& program,
                                                      const std::string& default_config,
                                                      int* exit_code);

}  // namespace parley::runtime

#endif  // PARLEY_RUNTIME_COMMAND_LINE_H_
