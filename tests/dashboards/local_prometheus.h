#ifndef PARLEY_TESTS_DASHBOARDS_LOCAL_PROMETHEUS_H_
#define PARLEY_TESTS_DASHBOARDS_LOCAL_PROMETHEUS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "child_process.h"

namespace parley::testing {

// What a LocalPrometheus scrapes and serves.
struct LocalPrometheusOptions {
  // Scrape job name to metrics targets (HOST:PORT).
  std::map<std::string, std::vector<std::string>> jobs;
  // Rule file globs, as in rule_files of prometheus.yml.
  std::vector<std::string> rule_files;
  // Folder of the console templates and libraries.
  std::string consoles;
  // Scrape and rule evaluation interval. Short, so that rates and
  // quantiles over 1m and 5m windows have points within seconds.
  absl::Duration interval = absl::Seconds(1);
};

// Debian's Prometheus ($PARLEY_PROMETHEUS_BINARY, default /usr/bin/prometheus) on
// a free loopback port, with its config and data in `directory`.
class LocalPrometheus {
 public:
  LocalPrometheus(std::string directory, LocalPrometheusOptions options);

  // Writes the config, starts Prometheus and waits until /-/ready returns
  // 200.
  absl::Status Start(absl::Duration timeout);

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url(const std::string& path) const { return "http://" + address() + path; }

  // Returns Prometheus's log, for failure messages.
  std::string Log() const;

 private:
  std::string WriteConfig() const;

  std::string directory_;
  LocalPrometheusOptions options_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// Returns a TCP port on 127.0.0.1 that was free a moment ago. Another
// process may take it before the caller binds it.
int PickFreePort();

}  // namespace parley::testing

#endif  // PARLEY_TESTS_DASHBOARDS_LOCAL_PROMETHEUS_H_
