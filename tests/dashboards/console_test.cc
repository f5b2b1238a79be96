// Opens the console pages of deploy/prometheus/consoles in headless
// Chromium. A Prometheus of the test's own serves them and scrapes the
// three real services under traffic. Every graph must be drawn with data
// and every "Now" value filled in, so a page without data fails.
//
// PARLEY_CONSOLE_SCREENSHOT=FILE also saves a 1280x900 PNG of the overview
// page, as in docs/images/console-overview.png.

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "chat_client.h"
#include "child_process.h"
#include "console_check.h"
#include "gtest/gtest.h"
#include "headless_browser.h"
#include "http_get.h"
#include "local_prometheus.h"
#include "service_stack.h"
#include "traffic.h"

namespace parley::testing {
namespace {

constexpr absl::Duration kPrometheusStartTimeout = absl::Seconds(60);
// Time for traffic to show up in every rate, quantile and ratio. With 1 s
// scrapes and rule evaluations that takes a few seconds, but the machine
// may be busy.
constexpr absl::Duration kDataTimeout = absl::Seconds(120);
constexpr absl::Duration kPollInterval = absl::Milliseconds(500);
// Virtual time the browser gives a page's scripts and their requests to
// Prometheus before it serializes the DOM.
constexpr absl::Duration kBrowserBudget = absl::Seconds(10);
constexpr int kWidth = 1280;
constexpr int kHeight = 900;
constexpr int kSubscribers = 2;

const std::vector<std::string> kRooms = {"lobby", "news", "support"};

std::string ConsolesDirectory() {
  return absl::StrCat(PARLEY_SOURCE_DIR, "/deploy/prometheus/consoles");
}

std::string RulesDirectory() { return absl::StrCat(PARLEY_SOURCE_DIR, "/deploy/prometheus/rules"); }

// Returns a reason to skip when a program the test runs is not installed.
std::string MissingProgram() {
  const char* prometheus = std::getenv("PARLEY_PROMETHEUS_BINARY");
  std::string prometheus_path =
      prometheus != nullptr && *prometheus != '\0' ? prometheus : "/usr/bin/prometheus";
  if (access(prometheus_path.c_str(), X_OK) != 0) {
    return absl::StrCat(prometheus_path, " not found; apt-get install prometheus adds it");
  }
  const char* chromium = std::getenv("PARLEY_CHROMIUM");
  if (chromium != nullptr && *chromium != '\0') return "";
  const char* path = std::getenv("PATH");
  for (absl::string_view folder : absl::StrSplit(path != nullptr ? path : "", ':')) {
    if (access(absl::StrCat(folder, "/chromium").c_str(), X_OK) == 0) return "";
  }
  return "no chromium on PATH; apt-get install chromium adds it";
}

bool HasRuleFiles() {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(RulesDirectory(), error)) {
    if (entry.path().extension() == ".yml") return true;
  }
  return false;
}

// The services, subscribers, traffic and Prometheus that every test reads,
// started once for the whole binary.
class ConsoleStack : public ::testing::Environment {
 public:
  void SetUp() override {
    skip_reason_ = MissingProgram();
    if (!skip_reason_.empty()) return;
    if (!HasRuleFiles()) {
      error_ = absl::StrCat("no rule files (*.yml) in ", RulesDirectory(),
                            "; the consoles need its recording rules");
      return;
    }
    directory_ = MakeTempDirectory("parley-consoles");
    stack_ = std::make_unique<ServiceStack>();
    stack_->StartAll();

    for (int i = 0; i < kSubscribers; ++i) {
      subscribers_.push_back(
          std::make_unique<RecordingSubscriber>(stack_->broadcaster_address(), kRooms));
      if (!subscribers_.back()->WaitSubscribed(absl::Seconds(30))) {
        error_ = "a subscriber did not get its stream open within 30 s";
        return;
      }
    }
    traffic_started_ = absl::Now();
    traffic_ = std::make_unique<Traffic>(stack_->intake_address(), kRooms, /*senders=*/2);

    LocalPrometheusOptions options;
    for (const char* job : {"intake", "processor", "broadcaster"}) {
      options.jobs[job] = {absl::StrCat("127.0.0.1:", stack_->service(job).metrics_port)};
    }
    options.rule_files = {absl::StrCat(RulesDirectory(), "/*.yml")};
    options.consoles = ConsolesDirectory();
    prometheus_ = std::make_unique<LocalPrometheus>(absl::StrCat(directory_, "/prometheus"),
                                                    std::move(options));
    std::filesystem::create_directories(absl::StrCat(directory_, "/prometheus"));
    if (absl::Status started = prometheus_->Start(kPrometheusStartTimeout); !started.ok()) {
      error_ = started.ToString();
      return;
    }
    browser_ = std::make_unique<HeadlessBrowser>(absl::StrCat(directory_, "/browser"));
    std::filesystem::create_directories(absl::StrCat(directory_, "/browser"));
    WaitForData();
  }

  void TearDown() override {
    if (traffic_) traffic_->Stop();
    traffic_.reset();
    subscribers_.clear();
    prometheus_.reset();
    stack_.reset();
    // Keep the logs, DOM dumps and Prometheus data of a failed run.
    if (!directory_.empty() && !::testing::UnitTest::GetInstance()->Failed()) {
      std::filesystem::remove_all(directory_);
    }
  }

  // Empty when the stack is ready, otherwise why it is not.
  const std::string& error() const { return error_; }
  // Non-empty when Prometheus or Chromium is not installed.
  const std::string& skip_reason() const { return skip_reason_; }

  // Returns the page as Prometheus renders it, before any script runs.
  absl::StatusOr<std::string> RenderedPage(const std::string& page) {
    return HttpGet(prometheus_->address(), absl::StrCat("/consoles/", page), absl::Seconds(30));
  }

  // Returns the URL of `page` with its graphs covering the whole time
  // since traffic started.
  std::string PageUrl(const std::string& page) const {
    int64_t seconds = absl::ToInt64Seconds(absl::Now() - traffic_started_) + 10;
    return prometheus_->url(absl::StrCat("/consoles/", page, "#pctc%7B%22duration%22%3A",
                                         seconds, "%2C%22endTime%22%3A0%7D"));
  }

  HeadlessBrowser& browser() { return *browser_; }
  const std::string& directory() const { return directory_; }

 private:
  // Polls each page until every "Now" value is filled in and traffic shows
  // in the overview, or kDataTimeout passes.
  void WaitForData() {
    absl::Time deadline = absl::Now() + kDataTimeout;
    std::string missing;
    while (absl::Now() < deadline) {
      missing = MissingData();
      if (missing.empty()) return;
      absl::SleepFor(kPollInterval);
    }
    error_ = absl::StrCat("the consoles had no data within ", absl::FormatDuration(kDataTimeout),
                          ": ", missing, "\nprometheus log:\n", prometheus_->Log());
  }

  // Returns what is still missing, or an empty string.
  std::string MissingData() {
    for (const char* page : {"parley-overview.html", "parley-intake.html",
                             "parley-processor.html", "parley-broadcaster.html"}) {
      absl::StatusOr<std::string> html = RenderedPage(page);
      if (!html.ok()) return html.status().ToString();
      for (const auto& [label, value] : NowValues(*html)) {
        if (!value || std::isnan(*value)) return absl::StrCat(page, ": ", label, " has no value");
      }
      std::map<std::string, std::optional<double>> values = NowValues(*html);
      for (const char* label : {"Committed per second", "Commit latency p99"}) {
        if (auto it = values.find(label); it != values.end() && !(it->second > 0)) {
          return absl::StrCat(page, ": ", label, " is not above 0 yet");
        }
      }
    }
    return "";
  }

  std::string error_;
  std::string skip_reason_;
  std::string directory_;
  absl::Time traffic_started_;
  std::unique_ptr<ServiceStack> stack_;
  std::vector<std::unique_ptr<RecordingSubscriber>> subscribers_;
  std::unique_ptr<Traffic> traffic_;
  std::unique_ptr<LocalPrometheus> prometheus_;
  std::unique_ptr<HeadlessBrowser> browser_;
};

ConsoleStack* stack_environment = nullptr;

// Checks one page: the rendered "Now" rows, then the graphs in the DOM
// after the browser ran the page's scripts. The caller returns when this
// had a fatal failure or skipped the test.
void ExpectPageHasData(const std::string& page, std::map<std::string, double>* values_out) {
  ConsoleStack& stack = *stack_environment;
  if (!stack.skip_reason().empty()) GTEST_SKIP() << stack.skip_reason();
  ASSERT_EQ(stack.error(), "");

  absl::StatusOr<std::string> html = stack.RenderedPage(page);
  ASSERT_TRUE(html.ok()) << html.status();
  std::vector<std::string> graph_ids = GraphIds(*html);
  EXPECT_GE(graph_ids.size(), 6u) << page << " has fewer graphs than expected";
  std::map<std::string, std::optional<double>> values = NowValues(*html);
  EXPECT_GE(values.size(), 5u) << page << " has fewer Now rows than expected";
  for (const auto& [label, value] : values) {
    ASSERT_TRUE(value.has_value()) << page << ": " << label << " shows no data";
    (*values_out)[label] = *value;
  }

  absl::StatusOr<std::string> dom =
      stack.browser().DumpDom(stack.PageUrl(page), kWidth, kHeight, kBrowserBudget);
  ASSERT_TRUE(dom.ok()) << dom.status();
  std::vector<std::string> problems = FindGraphsWithoutData(*dom, graph_ids);
  EXPECT_TRUE(problems.empty()) << page << ":\n" << absl::StrJoin(problems, "\n");
}

TEST(ConsolePages, OverviewShowsTraffic) {
  std::map<std::string, double> values;
  ExpectPageHasData("parley-overview.html", &values);
  if (HasFatalFailure() || IsSkipped()) return;
  EXPECT_EQ(values["Services up"], 3);
  EXPECT_GT(values["Committed per second"], 0);
  EXPECT_GT(values["Sends per second"], 0);
  EXPECT_GT(values["Commit latency p50"], 0);
  EXPECT_GE(values["Commit latency p99"], values["Commit latency p50"]);
  EXPECT_EQ(values["Subscribers"], kSubscribers);
  EXPECT_EQ(values["Rooms"], kRooms.size());
  EXPECT_EQ(values["Services draining"], 0);

  const char* screenshot = std::getenv("PARLEY_CONSOLE_SCREENSHOT");
  if (screenshot != nullptr && *screenshot != '\0') {
    absl::Status saved = stack_environment->browser().Screenshot(
        stack_environment->PageUrl("parley-overview.html"), kWidth, kHeight, kBrowserBudget,
        screenshot);
    EXPECT_TRUE(saved.ok()) << saved;
  }
}

TEST(ConsolePages, IntakeShowsSends) {
  std::map<std::string, double> values;
  ExpectPageHasData("parley-intake.html", &values);
  if (HasFatalFailure() || IsSkipped()) return;
  EXPECT_EQ(values["Targets up"], 1);
  EXPECT_GT(values["Sends per second"], 0);
  EXPECT_GT(values["Send latency p99"], 0);
  EXPECT_EQ(values["Processor links connected"], 1);
}

TEST(ConsolePages, ProcessorShowsCommits) {
  std::map<std::string, double> values;
  ExpectPageHasData("parley-processor.html", &values);
  if (HasFatalFailure() || IsSkipped()) return;
  EXPECT_EQ(values["Targets up"], 1);
  EXPECT_GT(values["Committed per second"], 0);
  EXPECT_EQ(values["Broadcaster links connected"], 1);
}

TEST(ConsolePages, BroadcasterShowsSubscribers) {
  std::map<std::string, double> values;
  ExpectPageHasData("parley-broadcaster.html", &values);
  if (HasFatalFailure() || IsSkipped()) return;
  EXPECT_EQ(values["Targets up"], 1);
  EXPECT_EQ(values["Subscribers"], kSubscribers);
  EXPECT_GT(values["Events written per second"], 0);
  EXPECT_GT(values["Messages in history"], 0);
}

// The same overview page on a Prometheus that scrapes nothing: every graph
// and every value must be reported as empty, so the checks above can fail.
TEST(ConsolePages, CheckFailsWithoutData) {
  ConsoleStack& stack = *stack_environment;
  if (!stack.skip_reason().empty()) GTEST_SKIP() << stack.skip_reason();
  ASSERT_EQ(stack.error(), "");
  std::string directory = absl::StrCat(stack.directory(), "/empty-prometheus");
  std::filesystem::create_directories(directory);
  LocalPrometheusOptions options;
  options.rule_files = {absl::StrCat(RulesDirectory(), "/*.yml")};
  options.consoles = ConsolesDirectory();
  LocalPrometheus empty(directory, std::move(options));
  absl::Status started = empty.Start(kPrometheusStartTimeout);
  ASSERT_TRUE(started.ok()) << started;

  absl::StatusOr<std::string> html =
      HttpGet(empty.address(), "/consoles/parley-overview.html", absl::Seconds(30));
  ASSERT_TRUE(html.ok()) << html.status();
  std::map<std::string, std::optional<double>> values = NowValues(*html);
  EXPECT_FALSE(values.at("Committed per second").has_value());
  EXPECT_FALSE(values.at("Commit latency p99").has_value());
  EXPECT_FALSE(values.at("Subscribers").has_value());

  std::vector<std::string> graph_ids = GraphIds(*html);
  absl::StatusOr<std::string> dom = stack.browser().DumpDom(
      empty.url("/consoles/parley-overview.html"), kWidth, kHeight, kBrowserBudget);
  ASSERT_TRUE(dom.ok()) << dom.status();
  std::vector<std::string> problems = FindGraphsWithoutData(*dom, graph_ids);
  EXPECT_EQ(problems.size(), graph_ids.size()) << absl::StrJoin(problems, "\n");
  for (const std::string& problem : problems) {
    EXPECT_NE(problem.find("no time series returned"), std::string::npos) << problem;
  }
}

}  // namespace
}  // namespace parley::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // gtest owns and deletes the environment after the last test.
  parley::testing::stack_environment = new parley::testing::ConsoleStack();
  ::testing::AddGlobalTestEnvironment(parley::testing::stack_environment);
  return RUN_ALL_TESTS();
}
