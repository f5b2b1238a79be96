#include "compose_stack.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "child_process.h"

namespace parley::testing {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv, absl::Duration timeout) {
  static const std::string directory = MakeTempDirectory("parley-e2e-commands");
  static int counter = 0;
  std::string log_path = absl::StrCat(directory, "/", ++counter, ".log");

  // posix_spawn takes a path, so env finds argv[0] in PATH.
  std::vector<std::string> spawn_argv = {"/usr/bin/env"};
  spawn_argv.insert(spawn_argv.end(), argv.begin(), argv.end());

  CommandResult result;
  {
    ChildProcess child(spawn_argv, {}, log_path);
    std::optional<int> status = child.Wait(timeout);
    result.exit_code = status.has_value() ? ExitCodeOf(*status) : -1000;
    result.output = child.Log();
    // The destructor kills a command that timed out.
  }
  std::filesystem::remove(log_path);
  if (result.exit_code == -1000) {
    result.output += absl::StrCat("\n[timed out after ", absl::FormatDuration(timeout), ": ",
                                  absl::StrJoin(argv, " "), "]");
  }
  return result;
}

Endpoints EndpointsFromEnvironment() {
  return Endpoints{
      .intake = EnvOr("PARLEY_INTAKE", "127.0.0.1:50051"),
      .broadcaster = EnvOr("PARLEY_BROADCASTER", "127.0.0.1:50053"),
      .prometheus = EnvOr("PARLEY_PROMETHEUS", "127.0.0.1:9090"),
      .cli = EnvOr("PARLEY_CLI", ""),
  };
}

std::optional<ComposeStack> ComposeStack::FromEnvironment() {
  std::string project = EnvOr("PARLEY_E2E_COMPOSE_PROJECT", "");
  if (project.empty()) return std::nullopt;
  std::string file = EnvOr("PARLEY_E2E_COMPOSE_FILE", "docker-compose.yml");
  std::vector<std::string> cli =
      absl::StrSplit(EnvOr("PARLEY_E2E_COMPOSE_CLI", "docker compose"), ' ', absl::SkipEmpty());
  return ComposeStack(std::move(cli), std::move(project), std::move(file));
}

CommandResult ComposeStack::Compose(const std::vector<std::string>& args,
                                    absl::Duration timeout) const {
  std::vector<std::string> argv = cli_;
  argv.insert(argv.end(), {"-p", project_, "-f", file_});
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, timeout);
}

std::string ComposeStack::ContainerId(const std::string& service) const {
  CommandResult result = Compose({"ps", "-a", "-q", service});
  if (result.exit_code != 0) return "";
  // The last line: compose v1 may print warnings first.
  std::vector<std::string> lines =
      absl::StrSplit(std::string(absl::StripAsciiWhitespace(result.output)), '\n');
  return std::string(absl::StripAsciiWhitespace(lines.back()));
}

namespace {

std::string InspectContainer(const std::string& id, const std::string& format) {
  if (id.empty()) return "";
  CommandResult result = RunCommand({"docker", "inspect", "-f", format, id}, absl::Seconds(30));
  if (result.exit_code != 0) return "";
  return std::string(absl::StripAsciiWhitespace(result.output));
}

}  // namespace

std::string ComposeStack::Inspect(const std::string& service, const std::string& format) const {
  return InspectContainer(ContainerId(service), format);
}

std::optional<int> ComposeStack::ExitCode(const std::string& service) const {
  int code = 0;
  if (!absl::SimpleAtoi(Inspect(service, "{{.State.ExitCode}}"), &code)) return std::nullopt;
  return code;
}

std::string ComposeStack::Logs(const std::string& service) const {
  return Compose({"logs", "--no-color", service}).output;
}

std::string ComposeStack::WaitHealthy(const std::vector<std::string>& services,
                                      absl::Duration timeout) const {
  absl::Time give_up = absl::Now() + timeout;
  // Start and stop keep a container's id, so look each id up once and
  // again only when inspecting it fails. A compose call is much slower
  // than docker inspect.
  std::map<std::string, std::string> ids;
  std::string seen;
  while (true) {
    seen.clear();
    for (const std::string& service : services) {
      std::string& id = ids[service];
      if (id.empty()) id = ContainerId(service);
      std::string health = InspectContainer(id, "{{.State.Status}}/{{.State.Health.Status}}");
      if (health.empty()) id.clear();
      if (health != "running/healthy") absl::StrAppend(&seen, service, "=", health, " ");
    }
    if (seen.empty() || absl::Now() >= give_up) return seen;
    absl::SleepFor(absl::Milliseconds(250));
  }
}

}  // namespace parley::testing
