#ifndef PARLEY_TESTS_SUPPORT_SERVICE_STACK_H_
#define PARLEY_TESTS_SUPPORT_SERVICE_STACK_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "child_process.h"
#include "notify_socket.h"

namespace parley::testing {

// Returns the folder of the built binaries (build/bin).
std::string BinaryDirectory();

// One running service binary, found through its sd_notify READY message.
struct ServiceProcess {
  std::string name;  // intake, processor or broadcaster
  std::unique_ptr<NotifySocket> notify;
  std::unique_ptr<ChildProcess> process;
  int grpc_port = 0;
  int metrics_port = 0;

  std::string address() const { return "127.0.0.1:" + std::to_string(grpc_port); }
};

// The three services on loopback, with ports chosen at run time: each
// binds port 0 on first start and keeps its port across restarts.
class ServiceStack {
 public:
  // `extra_yaml` adds top-level config keys per service, for example
  // {"processor", "commit_delay: 2s"}.
  explicit ServiceStack(std::map<std::string, std::string> extra_yaml = {},
                        absl::Duration drain_timeout = absl::Seconds(10));
  ~ServiceStack();

  // Starts broadcaster, processor and intake, each after the one it feeds.
  void StartAll();

  // Starts (or restarts) one service and waits for READY=1.
  ServiceProcess& Start(const std::string& name);

  // Changes how later starts of `name` run: `env` is added to the
  // environment, and a non-empty `wrapper` runs first with the binary and
  // its arguments appended, for example
  // {"/bin/sh", "-c", "WATCHDOG_PID=$$ exec \"$0\" \"$@\""}.
  void SetLaunch(const std::string& name, std::map<std::string, std::string> env,
                 std::vector<std::string> wrapper = {});

  // Sets log.format ("text" or "json") for later starts of every service.
  void SetLogFormat(std::string format) { log_format_ = std::move(format); }
  // Sets log.level for later starts of every service (default: debug).
  void SetLogLevel(std::string level) { log_level_ = std::move(level); }

  // Adds `keys` (YAML lines indented by two spaces) to the server section
  // of later starts of `name`, for example "  keepalive_time: 1s".
  void SetServerYaml(const std::string& name, std::string keys) {
    server_yaml_[name] = std::move(keys);
  }

  // Sends SIGTERM and returns the exit code, or nullopt at `timeout`.
  std::optional<int> Terminate(const std::string& name, absl::Duration timeout);
  void Kill(const std::string& name);

  ServiceProcess& service(const std::string& name) { return services_.at(name); }
  std::string intake_address() { return service("intake").address(); }
  std::string broadcaster_address() { return service("broadcaster").address(); }
  const std::string& directory() const { return directory_; }

  // Returns the logs of every start of `name`, for failure messages.
  std::string Logs(const std::string& name) const;

 private:
  std::string WriteConfig(const std::string& name);

  std::string directory_;
  std::map<std::string, std::string> extra_yaml_;
  absl::Duration drain_timeout_;
  std::string log_format_ = "text";
  std::string log_level_ = "debug";
  std::map<std::string, std::string> server_yaml_;
  std::map<std::string, int> ports_;
  std::map<std::string, ServiceProcess> services_;
  std::map<std::string, int> starts_;
  std::map<std::string, std::map<std::string, std::string>> launch_env_;
  std::map<std::string, std::vector<std::string>> launch_wrapper_;
};

// Returns the text of http://127.0.0.1:port/metrics, HTTP headers
// included; empty when the connection fails.
std::string ScrapeMetrics(int port);

// Returns the value of an unlabelled or labelled sample, e.g.
// `parley_dropped_total{hop="submit",reason="expired"}`, from a scrape of
// http://127.0.0.1:port/metrics; nullopt when absent.
std::optional<double> ScrapeMetric(int port, const std::string& sample);

}  // namespace parley::testing

#endif  // PARLEY_TESTS_SUPPORT_SERVICE_STACK_H_
