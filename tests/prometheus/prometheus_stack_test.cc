// Runs Debian's Prometheus with deploy/prometheus/prometheus.yml against the
// three real services and checks through its HTTP API that every target is
// up, that every rule evaluates without error, and that the recording rules
// produce series once messages flow.
//
// ServiceStack picks the ports at run time, so the test rewrites the
// targets of the config's three jobs, makes the rule file paths absolute
// and shortens the scrape and evaluation intervals to 1 s. Everything else
// comes from the file as committed. The test skips itself when no
// `prometheus` binary is on PATH.

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "chat_client.h"
#include "child_process.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "http_get.h"
#include "service_stack.h"
#include "yaml-cpp/yaml.h"

namespace parley::testing {
namespace {

const std::vector<std::string> kJobs = {"intake", "processor", "broadcaster"};

constexpr absl::Duration kReadyTimeout = absl::Seconds(60);
// Scrapes and rule evaluations run every second, so a 1m rate window
// contains two samples after about 2 s. The rest is slack for a busy
// machine.
constexpr absl::Duration kSeriesTimeout = absl::Seconds(90);
constexpr absl::Duration kHttpTimeout = absl::Seconds(10);
constexpr absl::Duration kPollInterval = absl::Milliseconds(250);

// Returns the full path of `program` on PATH, or nullopt.
std::optional<std::string> FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  for (absl::string_view folder : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    std::string candidate = absl::StrCat(folder, "/", program);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// Returns a TCP port on 127.0.0.1 that was free a moment ago. Another
// process may take it before Prometheus binds it, so the caller retries.
int PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

// Percent-encodes a PromQL expression for a URL query parameter.
std::string UrlEncode(const std::string& text) {
  std::string encoded;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      absl::StrAppend(&encoded, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return encoded;
}

// Parses a Prometheus API response into a protobuf Struct and returns its
// `data` field, or an error naming the body.
absl::StatusOr<google::protobuf::Value> ParseData(const std::string& body) {
  google::protobuf::Struct response;
  auto parsed = google::protobuf::util::JsonStringToMessage(body, &response);
  if (!parsed.ok()) {
    return absl::InternalError(absl::StrCat("invalid JSON (", parsed.ToString(), "): ", body));
  }
  auto status = response.fields().find("status");
  auto data = response.fields().find("data");
  if (status == response.fields().end() || status->second.string_value() != "success" ||
      data == response.fields().end()) {
    return absl::InternalError(absl::StrCat("query failed: ", body));
  }
  return data->second;
}

// One sample of an instant query: its labels and value.
struct Sample {
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Returns how many rules the files in deploy/prometheus/rules/*.yml define.
int CountRulesInFiles() {
  int count = 0;
  const std::filesystem::path rules_dir =
      std::filesystem::path(PARLEY_SOURCE_DIR) / "deploy/prometheus/rules";
  for (const auto& entry : std::filesystem::directory_iterator(rules_dir)) {
    if (entry.path().extension() != ".yml") continue;
    YAML::Node file = YAML::LoadFile(entry.path().string());
    for (const YAML::Node& group : file["groups"]) count += static_cast<int>(group["rules"].size());
  }
  return count;
}

// Derives a config from deploy/prometheus/prometheus.yml for the ports of
// `stack`, writes it into `directory` and returns its path.
std::string WriteDerivedConfig(ServiceStack& stack, const std::string& directory) {
  const std::string prometheus_dir = absl::StrCat(PARLEY_SOURCE_DIR, "/deploy/prometheus");
  YAML::Node config = YAML::LoadFile(prometheus_dir + "/prometheus.yml");

  config["global"]["scrape_interval"] = "1s";
  config["global"]["scrape_timeout"] = "1s";
  config["global"]["evaluation_interval"] = "1s";

  YAML::Node rule_files = config["rule_files"];
  EXPECT_TRUE(rule_files.IsSequence()) << "rule_files in prometheus.yml is not a list";
  EXPECT_GT(rule_files.size(), 0u) << "prometheus.yml loads no rule files";
  for (std::size_t i = 0; i < rule_files.size(); ++i) {
    rule_files[i] = absl::StrCat(prometheus_dir, "/", rule_files[i].as<std::string>());
  }

  std::set<std::string> jobs_found;
  for (YAML::Node job : config["scrape_configs"]) {
    std::string name = job["job_name"].as<std::string>();
    jobs_found.insert(name);
    YAML::Node targets = job["static_configs"][0]["targets"];
    EXPECT_EQ(targets.size(), 1u) << "job " << name << " should have one target";
    targets[0] = absl::StrCat("127.0.0.1:", stack.service(name).metrics_port);
  }
  EXPECT_EQ(jobs_found, std::set<std::string>(kJobs.begin(), kJobs.end()))
      << "prometheus.yml should have one scrape job per service";

  std::string path = directory + "/prometheus.yml";
  std::ofstream(path) << YAML::Dump(config) << "\n";
  return path;
}

class PrometheusStackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> binary = FindOnPath("prometheus");
    if (!binary) GTEST_SKIP() << "no prometheus on PATH; apt-get install prometheus adds it";

    stack_ = std::make_unique<ServiceStack>();
    stack_->StartAll();
    std::string config = WriteDerivedConfig(*stack_, stack_->directory());
    ASSERT_FALSE(HasFailure()) << "unexpected layout of deploy/prometheus/prometheus.yml";

    // A port picked here may be taken before Prometheus binds it. Prometheus
    // then exits, and the next attempt picks another port.
    for (int attempt = 1; attempt <= 3 && !ready_; ++attempt) {
      address_ = absl::StrCat("127.0.0.1:", PickFreePort());
      prometheus_ = std::make_unique<ChildProcess>(
          std::vector<std::string>{*binary, "--config.file=" + config,
                                   absl::StrCat("--storage.tsdb.path=", stack_->directory(),
                                                "/prometheus-data-", attempt),
                                   "--web.listen-address=" + address_},
          std::map<std::string, std::string>{},
          absl::StrCat(stack_->directory(), "/prometheus.", attempt, ".log"));
      ready_ = WaitReady();
    }
    ASSERT_TRUE(ready_) << "Prometheus did not become ready:\n" << prometheus_->Log();
  }

  void TearDown() override {
    if (!HasFailure() || prometheus_ == nullptr) return;
    std::cerr << "--- Prometheus log ---\n" << prometheus_->Log();
    for (const std::string& job : kJobs) std::cerr << stack_->Logs(job);
  }

  // Polls /-/ready until it returns 200 or the process exits.
  bool WaitReady() {
    absl::Time give_up = absl::Now() + kReadyTimeout;
    while (absl::Now() < give_up) {
      if (HttpGet(address_, "/-/ready", kHttpTimeout).ok()) return true;
      if (prometheus_->Wait(absl::ZeroDuration()).has_value()) return false;
      absl::SleepFor(kPollInterval);
    }
    return false;
  }

  // Runs an instant query and returns its samples.
  absl::StatusOr<std::vector<Sample>> Query(const std::string& expression) {
    absl::StatusOr<std::string> body =
        HttpGet(address_, "/api/v1/query?query=" + UrlEncode(expression), kHttpTimeout);
    if (!body.ok()) return body.status();
    absl::StatusOr<google::protobuf::Value> data = ParseData(*body);
    if (!data.ok()) return data.status();

    std::vector<Sample> samples;
    const auto& fields = data->struct_value().fields();
    auto result = fields.find("result");
    if (result == fields.end()) return absl::InternalError("no result in " + *body);
    for (const google::protobuf::Value& item : result->second.list_value().values()) {
      Sample sample;
      for (const auto& [name, value] : item.struct_value().fields().at("metric").struct_value().fields()) {
        sample.labels[name] = value.string_value();
      }
      // "value" is [TIME, "VALUE"].
      const auto& pair = item.struct_value().fields().at("value").list_value();
      sample.value = std::stod(pair.values(1).string_value());
      samples.push_back(std::move(sample));
    }
    return samples;
  }

  // Returns the alerts of /api/v1/alerts, pending and firing, each with its
  // labels and the value of its expression.
  absl::StatusOr<std::vector<Sample>> ActiveAlerts() {
    absl::StatusOr<std::string> body = HttpGet(address_, "/api/v1/alerts", kHttpTimeout);
    if (!body.ok()) return body.status();
    absl::StatusOr<google::protobuf::Value> data = ParseData(*body);
    if (!data.ok()) return data.status();

    std::vector<Sample> alerts;
    for (const google::protobuf::Value& item :
         data->struct_value().fields().at("alerts").list_value().values()) {
      Sample alert;
      for (const auto& [name, value] : item.struct_value().fields().at("labels").struct_value().fields()) {
        alert.labels[name] = value.string_value();
      }
      alert.value = std::stod(item.struct_value().fields().at("value").string_value());
      alerts.push_back(std::move(alert));
    }
    return alerts;
  }

  // Polls `expression` until it returns at least `min_samples` samples.
  // When client_ is set, it sends a message before each poll so that the
  // rates stay above 0. Returns the samples of the last poll.
  std::vector<Sample> WaitForSeries(const std::string& expression, size_t min_samples = 1) {
    absl::Time give_up = absl::Now() + kSeriesTimeout;
    std::string last_error;
    std::vector<Sample> last_samples;
    while (absl::Now() < give_up) {
      if (client_ != nullptr) SendOne();
      absl::StatusOr<std::vector<Sample>> samples = Query(expression);
      if (samples.ok()) {
        last_samples = *samples;
        if (samples->size() >= min_samples) return last_samples;
        last_error = absl::StrCat(samples->size(), " samples");
      } else {
        last_error = samples.status().ToString();
      }
      absl::SleepFor(kPollInterval);
    }
    ADD_FAILURE() << expression << " did not return " << min_samples << " samples within "
                  << absl::FormatDuration(kSeriesTimeout) << ": " << last_error;
    return last_samples;
  }

  void SendOne() {
    ++sent_;
    auto response = client_->Send("metrics", "prober", absl::StrCat("message ", sent_),
                                  absl::StrCat("m", sent_), absl::Seconds(10));
    EXPECT_TRUE(response.ok()) << response.status();
  }

  std::unique_ptr<ServiceStack> stack_;
  std::unique_ptr<ChildProcess> prometheus_;
  std::string address_;
  bool ready_ = false;
  std::unique_ptr<IntakeClient> client_;
  int sent_ = 0;
};

TEST_F(PrometheusStackTest, ScrapesEveryServiceAndRecordsRules) {
  client_ = std::make_unique<IntakeClient>(stack_->intake_address());
  RecordingSubscriber subscriber(stack_->broadcaster_address(), {"metrics"});
  ASSERT_TRUE(subscriber.WaitSubscribed(absl::Seconds(10)));

  // 1. Every job has one target, and it is up.
  std::vector<Sample> up =
      WaitForSeries(R"(up{job=~"intake|processor|broadcaster"} == 1)", kJobs.size());
  std::set<std::string> up_jobs;
  for (const Sample& sample : up) up_jobs.insert(sample.labels.at("job"));
  EXPECT_EQ(up_jobs, std::set<std::string>(kJobs.begin(), kJobs.end()));

  // 2. Every recording rule produces a series once messages flow. The
  // comparisons keep a sample only when its value is what traffic causes.
  const std::vector<std::string> expressions = {
      R"(job:parley_grpc_server_handled:rate1m{job="intake",grpc_method="Send",grpc_code="OK"} > 0)",
      R"(job:parley_grpc_server_handled:rate5m{job="intake",grpc_method="Send",grpc_code="OK"} > 0)",
      R"(job:parley_grpc_server_errors:ratio_rate5m{job="intake",grpc_method="Send"} == 0)",
      R"(job:parley_grpc_server_handling_seconds:p50_rate5m{job="intake",grpc_method="Send"} > 0)",
      R"(job:parley_grpc_server_handling_seconds:p99_rate5m{job="intake",grpc_method="Send"} > 0)",
      R"(job:parley_commit_latency_seconds:p50_rate5m{job="intake"} > 0)",
      R"(job:parley_commit_latency_seconds:p99_rate5m{job="intake"} > 0)",
      R"(job:parley_processor_committed:rate1m{job="processor"} > 0)",
      R"(job:parley_broadcaster_events_written:rate1m{job="broadcaster"} > 0)",
      R"(job:parley_dropped:rate5m{job="intake",hop="intake",reason="expired"} == 0)",
      R"(job:parley_dropped:rate5m{job="processor",hop="processor",reason="cancelled"} == 0)",
      R"(job:parley_broadcaster_slow_subscriber_disconnects:rate5m{job="broadcaster"} == 0)",
  };
  for (const std::string& expression : expressions) {
    WaitForSeries(expression);  // adds a failure naming the expression
  }

  // 3. Every rule of both files is loaded and evaluates without error.
  absl::StatusOr<std::string> rules_body = HttpGet(address_, "/api/v1/rules", kHttpTimeout);
  ASSERT_TRUE(rules_body.ok()) << rules_body.status();
  absl::StatusOr<google::protobuf::Value> rules = ParseData(*rules_body);
  ASSERT_TRUE(rules.ok()) << rules.status();
  int rule_count = 0;
  for (const auto& group : rules->struct_value().fields().at("groups").list_value().values()) {
    for (const auto& rule : group.struct_value().fields().at("rules").list_value().values()) {
      const auto& fields = rule.struct_value().fields();
      ++rule_count;
      EXPECT_EQ(fields.at("health").string_value(), "ok")
          << fields.at("name").string_value() << ": "
          << (fields.contains("lastError") ? fields.at("lastError").string_value() : "");
    }
  }
  EXPECT_EQ(rule_count, CountRulesInFiles()) << *rules_body;

  // 4. A healthy stack fires no alert. ParleyDrainTimedOut has no for:
  // duration, so a wrong expression would show here at once. Pending
  // alerts are left out: on a busy machine one slow scrape makes
  // ParleyServiceDown pending for a moment.
  absl::StatusOr<std::vector<Sample>> alerts = Query(R"(ALERTS{alertstate="firing"})");
  ASSERT_TRUE(alerts.ok()) << alerts.status();
  for (const Sample& alert : *alerts) {
    ADD_FAILURE() << "alert " << alert.labels.at("alertname") << " is "
                  << alert.labels.at("alertstate") << " for job "
                  << (alert.labels.contains("job") ? alert.labels.at("job") : "?");
  }

  EXPECT_TRUE(subscriber.WaitForMessages("metrics", sent_, absl::Seconds(30)));
}

// Stops broadcaster, so that Sends stay in flight at intake, then stops
// intake. Its drain runs into server.drain_timeout (ServiceStack's default
// of 10 s, the value alerts.yml assumes), and the alerts must report the
// drain and both services down.
TEST_F(PrometheusStackTest, AlertsOnDrainTimeoutAndDownServices) {
  WaitForSeries(R"(up{job=~"intake|processor|broadcaster"} == 1)", kJobs.size());
  stack_->Kill("broadcaster");

  // 1. Sends that cannot commit while broadcaster is gone.
  constexpr int kStuckSends = 4;
  IntakeClient stuck_client(stack_->intake_address());
  std::vector<std::thread> senders;
  for (int i = 0; i < kStuckSends; ++i) {
    senders.emplace_back([&stuck_client, i] {
      // They fail once intake cancels them at the end of its drain.
      (void)stuck_client.Send("drain", "stuck", "waits for broadcaster", absl::StrCat("s", i),
                              absl::Seconds(60));
    });
  }
  const int intake_metrics_port = stack_->service("intake").metrics_port;
  absl::Time give_up = absl::Now() + absl::Seconds(30);
  std::optional<double> pending;
  while (absl::Now() < give_up) {
    pending = ScrapeMetric(intake_metrics_port, R"(parley_link_pending_items{link="processor"})");
    if (pending.value_or(0) >= kStuckSends) break;
    absl::SleepFor(kPollInterval);
  }
  ASSERT_GE(pending.value_or(0), kStuckSends) << "the Sends did not reach intake's link";

  // 2. The drain times out, and intake exits. The drain sends sd_notify
  // messages every second, and the notify socket queues only a few
  // datagrams (net.unix.max_dgram_qlen), so the test reads them while it
  // waits, as systemd would.
  ServiceProcess& intake = stack_->service("intake");
  absl::Time terminated = absl::Now();
  intake.process->Signal(SIGTERM);
  std::optional<std::string> last_status = intake.notify->WaitFor(
      [](const std::string& message) {
        return absl::StrContains(message, "shutting down the gRPC server");
      },
      absl::Seconds(40));
  EXPECT_TRUE(last_status.has_value()) << "intake did not finish its drain";
  std::optional<int> exit_status = intake.process->Wait(absl::Seconds(20));
  for (std::thread& sender : senders) sender.join();
  ASSERT_TRUE(exit_status.has_value()) << "intake did not exit after SIGTERM";
  EXPECT_EQ(ExitCodeOf(*exit_status), 0);
  EXPECT_GE(absl::Now() - terminated, absl::Seconds(10)) << "intake's drain did not time out";

  // 3. The drain alert fires for intake although intake is gone, with
  // the items it had left.
  std::vector<Sample> drain = WaitForSeries(
      R"(ALERTS{alertname="ParleyDrainTimedOut",alertstate="firing",job="intake"})");
  ASSERT_EQ(drain.size(), 1u);
  EXPECT_EQ(drain[0].labels.at("severity"), "warning");
  absl::StatusOr<std::vector<Sample>> active = ActiveAlerts();
  ASSERT_TRUE(active.ok()) << active.status();
  bool found = false;
  for (const Sample& alert : *active) {
    if (alert.labels.at("alertname") != "ParleyDrainTimedOut") continue;
    found = true;
    EXPECT_EQ(alert.value, kStuckSends) << "items left in intake's drain";
  }
  EXPECT_TRUE(found) << "/api/v1/alerts lists no ParleyDrainTimedOut";

  // 4. Both stopped services are down. ParleyServiceDown waits 1 minute
  // before it fires, so pending is what the test can see.
  std::vector<Sample> down = WaitForSeries(
      R"(ALERTS{alertname="ParleyServiceDown",job=~"intake|broadcaster"})", 2);
  std::set<std::string> down_jobs;
  for (const Sample& sample : down) down_jobs.insert(sample.labels.at("job"));
  EXPECT_EQ(down_jobs, (std::set<std::string>{"intake", "broadcaster"}));

  // 5. processor is still up, and no alert fired for it.
  absl::StatusOr<std::vector<Sample>> processor_alerts =
      Query(R"(ALERTS{job="processor",alertstate="firing"})");
  ASSERT_TRUE(processor_alerts.ok()) << processor_alerts.status();
  for (const Sample& alert : *processor_alerts) {
    ADD_FAILURE() << "alert " << alert.labels.at("alertname") << " is "
                  << alert.labels.at("alertstate") << " for processor";
  }

  // processor's drain would wait the full timeout for broadcaster.
  stack_->Kill("processor");
}

}  // namespace
}  // namespace parley::testing
