#include "service_stack.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <cctype>
#include <sstream>
#include <stdexcept>

#include "absl/strings/str_cat.h"

namespace parley::testing {
namespace {

constexpr absl::Duration kReadyTimeout = absl::Seconds(30);

std::string Downstream(const std::string& name) {
  if (name == "intake") return "processor";
  if (name == "processor") return "broadcaster";
  return "";
}

// Returns the port of the first "HOST:PORT" after `label` in `message`.
int PortAfter(const std::string& message, const std::string& label) {
  size_t start = message.find(label);
  if (start == std::string::npos) return 0;
  size_t colon = message.find(':', start + label.size());
  if (colon == std::string::npos) return 0;
  int port = 0;
  for (size_t i = colon + 1; i < message.size() && std::isdigit(message[i]); ++i) {
    port = port * 10 + (message[i] - '0');
  }
  return port;
}

// Reads "serving gRPC on HOST:PORT, metrics on HOST:PORT" from STATUS=.
bool ParsePorts(const std::string& message, int* grpc_port, int* metrics_port) {
  *grpc_port = PortAfter(message, "serving gRPC on ");
  *metrics_port = PortAfter(message, ", metrics on ");
  return *grpc_port > 0 && *metrics_port > 0;
}

}  // namespace

std::string BinaryDirectory() { return PARLEY_BINARY_DIR; }

ServiceStack::ServiceStack(std::map<std::string, std::string> extra_yaml,
                           absl::Duration drain_timeout)
    : directory_(MakeTempDirectory("parley-stack")),
      extra_yaml_(std::move(extra_yaml)),
      drain_timeout_(drain_timeout) {}

ServiceStack::~ServiceStack() {
  // Front to back, like an operator would, so the drain flows downstream.
  for (const char* name : {"intake", "processor", "broadcaster"}) {
    auto it = services_.find(name);
    if (it == services_.end() || !it->second.process) continue;
    it->second.process->Signal(SIGTERM);
    if (!it->second.process->Wait(drain_timeout_ + absl::Seconds(10))) {
      it->second.process->Signal(SIGKILL);
    }
  }
}

std::string ServiceStack::WriteConfig(const std::string& name) {
  std::string path = absl::StrCat(directory_, "/", name, ".yaml");
  std::ofstream out(path);
  out << "server:\n"
      << "  listen: 127.0.0.1:" << ports_[name] << "\n"
      << "  metrics_listen: 127.0.0.1:0\n"
      << "  drain_timeout: " << absl::FormatDuration(drain_timeout_) << "\n"
      << "  shutdown_grace: 2s\n";
  if (auto it = server_yaml_.find(name); it != server_yaml_.end()) out << it->second << "\n";
  out << "log:\n  level: " << log_level_ << "\n  format: " << log_format_ << "\n";
  std::string downstream = Downstream(name);
  if (!downstream.empty()) {
    out << downstream << ":\n"
        << "  target: " << service(downstream).address() << "\n"
        << "  reconnect:\n    initial_backoff: 20ms\n    max_backoff: 500ms\n";
  }
  if (auto it = extra_yaml_.find(name); it != extra_yaml_.end()) out << it->second << "\n";
  return path;
}

void ServiceStack::StartAll() {
  Start("broadcaster");
  Start("processor");
  Start("intake");
}

ServiceProcess& ServiceStack::Start(const std::string& name) {
  int start = ++starts_[name];
  std::string config = WriteConfig(name);
  ServiceProcess& service = services_[name];
  service.name = name;
  service.process.reset();
  service.notify.reset();  // its destructor removes the socket path
  service.notify = std::make_unique<NotifySocket>(absl::StrCat(directory_, "/", name, ".notify"));
  std::vector<std::string> argv = launch_wrapper_[name];
  argv.insert(argv.end(), {absl::StrCat(BinaryDirectory(), "/parley-", name), "--config", config});
  std::map<std::string, std::string> env = launch_env_[name];
  env["NOTIFY_SOCKET"] = service.notify->path();
  service.process = std::make_unique<ChildProcess>(
      std::move(argv), std::move(env), absl::StrCat(directory_, "/", name, ".", start, ".log"));
  auto ready = service.notify->WaitForLine("READY=1", kReadyTimeout);
  if (!ready || !ParsePorts(*ready, &service.grpc_port, &service.metrics_port)) {
    throw std::runtime_error(absl::StrCat(name, " did not become ready:\n", Logs(name)));
  }
  ports_[name] = service.grpc_port;
  return service;
}

void ServiceStack::SetLaunch(const std::string& name, std::map<std::string, std::string> env,
                             std::vector<std::string> wrapper) {
  launch_env_[name] = std::move(env);
  launch_wrapper_[name] = std::move(wrapper);
}

std::optional<int> ServiceStack::Terminate(const std::string& name, absl::Duration timeout) {
  ServiceProcess& service = services_.at(name);
  service.process->Signal(SIGTERM);
  auto status = service.process->Wait(timeout);
  if (!status) return std::nullopt;
  return ExitCodeOf(*status);
}

void ServiceStack::Kill(const std::string& name) {
  ServiceProcess& service = services_.at(name);
  service.process->Signal(SIGKILL);
  service.process->Wait(absl::Seconds(10));
}

std::string ServiceStack::Logs(const std::string& name) const {
  std::string logs;
  auto it = starts_.find(name);
  int count = it == starts_.end() ? 0 : it->second;
  for (int start = 1; start <= count; ++start) {
    std::ifstream in(absl::StrCat(directory_, "/", name, ".", start, ".log"));
    std::stringstream text;
    text << in.rdbuf();
    absl::StrAppend(&logs, "--- ", name, " start ", start, " ---\n", text.str());
  }
  return logs;
}

std::string ScrapeMetrics(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return "";
  }
  std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  (void)write(fd, request.data(), request.size());
  std::string response;
  char buffer[8192];
  ssize_t size = 0;
  while ((size = read(fd, buffer, sizeof(buffer))) > 0) response.append(buffer, size);
  close(fd);
  return response;
}

std::optional<double> ScrapeMetric(int port, const std::string& sample) {
  std::istringstream lines(ScrapeMetrics(port));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(sample + " ", 0) == 0) return std::stod(line.substr(sample.size() + 1));
  }
  return std::nullopt;
}

}  // namespace parley::testing
