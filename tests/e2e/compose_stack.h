#ifndef PARLEY_TESTS_E2E_COMPOSE_STACK_H_
#define PARLEY_TESTS_E2E_COMPOSE_STACK_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace parley::testing {

// Exit code and combined stdout and stderr of a finished command.
struct CommandResult {
  int exit_code = -1;  // -1000 when the command timed out and was killed
  std::string output;
};

// Runs `argv`, looking argv[0] up in PATH, and kills it after `timeout`.
CommandResult RunCommand(const std::vector<std::string>& argv, absl::Duration timeout);

// Where the suite finds the stack under test. The addresses default to the
// ports that docker-compose.yml publishes.
struct Endpoints {
  std::string intake;       // PARLEY_INTAKE
  std::string broadcaster;  // PARLEY_BROADCASTER
  std::string prometheus;   // PARLEY_PROMETHEUS
  std::string cli;          // PARLEY_CLI: path of the parley binary, or empty
};

Endpoints EndpointsFromEnvironment();

// The docker compose project that tests/e2e/run.sh started, driven through
// the compose CLI: `docker compose` or `docker-compose`, whichever the
// driver found.
class ComposeStack {
 public:
  // Reads PARLEY_E2E_COMPOSE_PROJECT, PARLEY_E2E_COMPOSE_FILE and
  // PARLEY_E2E_COMPOSE_CLI; nullopt when the project is not set, as when
  // the suite runs against the native stack.
  static std::optional<ComposeStack> FromEnvironment();

  // Runs `compose -p PROJECT -f FILE args...`.
  CommandResult Compose(const std::vector<std::string>& args,
                        absl::Duration timeout = absl::Seconds(60)) const;

  // Id of the service's container, running or not; empty if it has none.
  std::string ContainerId(const std::string& service) const;

  // `docker inspect` of the service's container with a Go template.
  std::string Inspect(const std::string& service, const std::string& format) const;

  // Exit code that Docker recorded for the service's container.
  std::optional<int> ExitCode(const std::string& service) const;

  // Output of `compose logs` for the service.
  std::string Logs(const std::string& service) const;

  // Name of the project's default network, which every service joins.
  std::string NetworkName() const { return project_ + "_default"; }

  // Polls the Docker health status of each service until all are
  // "healthy". Returns an empty string on success, else what was last seen.
  std::string WaitHealthy(const std::vector<std::string>& services, absl::Duration timeout) const;

  const std::string& project() const { return project_; }

 private:
  ComposeStack(std::vector<std::string> cli, std::string project, std::string file)
      : cli_(std::move(cli)), project_(std::move(project)), file_(std::move(file)) {}

  std::vector<std::string> cli_;
  std::string project_;
  std::string file_;
};

}  // namespace parley::testing

#endif  // PARLEY_TESTS_E2E_COMPOSE_STACK_H_
