#include "local_prometheus.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "http_get.h"

namespace parley::testing {
namespace {

constexpr absl::Duration kPollInterval = absl::Milliseconds(100);

std::string PrometheusBinary() {
  const char* binary = std::getenv("PARLEY_PROMETHEUS_BINARY");
  return binary != nullptr && *binary != '\0' ? binary : "/usr/bin/prometheus";
}

// Returns `values` as a YAML flow sequence of double-quoted strings. The
// values are paths and HOST:PORT addresses made by the test, without
// quotes or backslashes.
std::string YamlList(const std::vector<std::string>& values) {
  return absl::StrCat("[", absl::StrJoin(values, ", ", [](std::string* out, const std::string& value) {
                        absl::StrAppend(out, "\"", value, "\"");
                      }),
                      "]");
}

}  // namespace

int PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("cannot create a socket to find a free port");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    throw std::runtime_error("cannot bind 127.0.0.1:0 to find a free port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

LocalPrometheus::LocalPrometheus(std::string directory, LocalPrometheusOptions options)
    : directory_(std::move(directory)), options_(std::move(options)) {}

std::string LocalPrometheus::WriteConfig() const {
  std::string path = absl::StrCat(directory_, "/prometheus.yml");
  std::ofstream out(path);
  std::string interval = absl::StrCat(absl::ToInt64Milliseconds(options_.interval), "ms");
  out << "global:\n"
      << "  scrape_interval: " << interval << "\n"
      << "  scrape_timeout: " << interval << "\n"
      << "  evaluation_interval: " << interval << "\n"
      << "rule_files: " << YamlList(options_.rule_files) << "\n"
      << "scrape_configs:\n";
  for (const auto& [job, targets] : options_.jobs) {
    out << "  - job_name: " << job << "\n"
        << "    static_configs:\n"
        << "      - targets: " << YamlList(targets) << "\n";
  }
  if (options_.jobs.empty()) out << "  []\n";
  return path;
}

absl::Status LocalPrometheus::Start(absl::Duration timeout) {
  port_ = PickFreePort();
  std::string config = WriteConfig();
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{
          PrometheusBinary(),
          absl::StrCat("--config.file=", config),
          absl::StrCat("--storage.tsdb.path=", directory_, "/data"),
          absl::StrCat("--web.listen-address=", address()),
          absl::StrCat("--web.console.templates=", options_.consoles),
          absl::StrCat("--web.console.libraries=", options_.consoles),
      },
      std::map<std::string, std::string>{}, absl::StrCat(directory_, "/prometheus.log"));

  absl::Time deadline = absl::Now() + timeout;
  absl::Status last = absl::UnavailableError("not polled yet");
  while (absl::Now() < deadline) {
    if (process_->Wait(absl::ZeroDuration())) {
      return absl::InternalError(
          absl::StrCat("prometheus exited before it was ready; its log:\n", Log()));
    }
    absl::StatusOr<std::string> ready = HttpGet(address(), "/-/ready", absl::Seconds(2));
    if (ready.ok()) return absl::OkStatus();
    last = ready.status();
    absl::SleepFor(kPollInterval);
  }
  return absl::DeadlineExceededError(absl::StrCat("prometheus at ", address(),
                                                  " was not ready within ",
                                                  absl::FormatDuration(timeout), ": ",
                                                  last.ToString(), "; its log:\n", Log()));
}

std::string LocalPrometheus::Log() const { return process_ ? process_->Log() : ""; }

}  // namespace parley::testing
