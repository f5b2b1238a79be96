// Static checks of the Grafana files in deploy/grafana, which cannot be
// loaded here because Debian has no Grafana package. The dashboard must be
// valid JSON in Grafana's classic model, and every panel must query
// through the datasource variable. Every expression must be valid PromQL
// (promtool) and select only metrics from docs/metrics.md or rules from
// deploy/prometheus/rules. The provisioning files must agree with it.

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "child_process.h"
#include "gtest/gtest.h"
#include "promql_names.h"

namespace parley::testing {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr int kGridColumns = 24;
constexpr char kDatasourceVariable[] = "${datasource}";

std::string SourcePath(const std::string& relative) {
  return absl::StrCat(PARLEY_SOURCE_DIR, "/", relative);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Returns the dashboard JSON as a protobuf Struct, which represents any
// JSON object.
Struct LoadDashboard() {
  std::string json = ReadFile(SourcePath("deploy/grafana/dashboards/parley-overview.json"));
  Struct dashboard;
  auto status = google::protobuf::util::JsonStringToMessage(json, &dashboard);
  EXPECT_TRUE(status.ok()) << "parley-overview.json is not valid JSON: " << status.ToString();
  return dashboard;
}

const Value& Field(const Struct& object, const std::string& name) {
  static const Value kNull;
  auto it = object.fields().find(name);
  return it == object.fields().end() ? kNull : it->second;
}

std::string StringField(const Struct& object, const std::string& name) {
  return Field(object, name).string_value();
}

std::vector<Struct> Panels(const Struct& dashboard) {
  std::vector<Struct> panels;
  for (const Value& panel : Field(dashboard, "panels").list_value().values()) {
    panels.push_back(panel.struct_value());
  }
  return panels;
}

// One PromQL expression of the dashboard and where it is.
struct Query {
  std::string where;
  std::string expr;
};

std::vector<Query> Queries(const Struct& dashboard) {
  std::vector<Query> queries;
  for (const Struct& panel : Panels(dashboard)) {
    for (const Value& target : Field(panel, "targets").list_value().values()) {
      queries.push_back({absl::StrCat("panel \"", StringField(panel, "title"), "\" target ",
                                      StringField(target.struct_value(), "refId")),
                         StringField(target.struct_value(), "expr")});
    }
  }
  return queries;
}

// Returns the metric families listed in the tables of docs/metrics.md,
// whose rows start with the family name in backticks.
std::set<std::string> DocumentedFamilies() {
  std::set<std::string> families;
  static const std::regex kRow(R"(^\| `([a-zA-Z_:][a-zA-Z0-9_:]*)` \|)");
  std::istringstream lines(ReadFile(SourcePath("docs/metrics.md")));
  std::string line;
  std::smatch match;
  while (std::getline(lines, line)) {
    if (std::regex_search(line, match, kRow)) families.insert(match[1]);
  }
  return families;
}

// Returns the names recorded by the rule files in deploy/prometheus/rules.
std::set<std::string> RecordedNames() {
  std::set<std::string> names;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(SourcePath("deploy/prometheus/rules"), error)) {
    if (entry.path().extension() != ".yml") continue;
    YAML::Node file = YAML::LoadFile(entry.path().string());
    for (const YAML::Node& group : file["groups"]) {
      for (const YAML::Node& rule : group["rules"]) {
        if (rule["record"]) names.insert(rule["record"].as<std::string>());
      }
    }
  }
  return names;
}

// Returns the graph titles of the overview console page, from its
// parley_panel_head calls: (args "id" "Title" "description").
std::vector<std::string> OverviewConsoleTitles() {
  std::string html = ReadFile(SourcePath("deploy/prometheus/consoles/parley-overview.html"));
  static const std::regex kPanel(R"re(template "parley_panel_head" \(args "[^"]*" "([^"]*)")re");
  std::vector<std::string> titles;
  for (auto match = std::sregex_iterator(html.begin(), html.end(), kPanel);
       match != std::sregex_iterator(); ++match) {
    titles.push_back((*match)[1]);
  }
  return titles;
}

TEST(PromqlNames, FindsMetricsNotFunctionsOrLabels) {
  EXPECT_EQ(SelectedNames("sum by (job, le) (rate(parley_commit_latency_seconds_bucket"
                          "{job=\"intake\",le=~\"0.1|1\"}[5m] offset 1m))"),
            std::set<std::string>{"parley_commit_latency_seconds_bucket"});
  EXPECT_EQ(SelectedNames("count(up{job=~\"a|b\"} == 1) or vector(0)"),
            std::set<std::string>{"up"});
  EXPECT_EQ(SelectedNames("job:a:rate5m / on (job) group_left (service) b_info > bool 0.5"),
            (std::set<std::string>{"job:a:rate5m", "b_info"}));
  EXPECT_EQ(SelectedNames("histogram_quantile(0.99, x_bucket) * 1e3"),
            std::set<std::string>{"x_bucket"});
  EXPECT_EQ(FamilyOf("x_seconds_bucket"), "x_seconds");
  EXPECT_EQ(FamilyOf("x_total"), "x_total");
}

TEST(GrafanaDashboard, HasTheShapeGrafanaReads) {
  Struct dashboard = LoadDashboard();
  EXPECT_EQ(StringField(dashboard, "uid"), "parley-overview");
  EXPECT_FALSE(StringField(dashboard, "title").empty());
  // The classic JSON model at the schema version the panels were written
  // for. Change it only together with the panel options.
  EXPECT_EQ(Field(dashboard, "schemaVersion").number_value(), 37);

  std::vector<Struct> panels = Panels(dashboard);
  ASSERT_FALSE(panels.empty());
  std::set<double> ids;
  for (const Struct& panel : panels) {
    std::string title = StringField(panel, "title");
    EXPECT_FALSE(title.empty());
    EXPECT_TRUE(ids.insert(Field(panel, "id").number_value()).second) << title << ": id reused";
    std::string type = StringField(panel, "type");
    EXPECT_TRUE(type == "timeseries" || type == "stat") << title << ": type " << type;

    const Struct& grid = Field(panel, "gridPos").struct_value();
    double x = Field(grid, "x").number_value();
    double width = Field(grid, "w").number_value();
    EXPECT_GT(width, 0) << title;
    EXPECT_GT(Field(grid, "h").number_value(), 0) << title;
    EXPECT_LE(x + width, kGridColumns) << title << " is wider than the grid";
  }
}

TEST(GrafanaDashboard, QueriesUseTheDatasourceVariable) {
  Struct dashboard = LoadDashboard();
  bool found_variable = false;
  for (const Value& variable : Field(Field(dashboard, "templating").struct_value(), "list")
                                   .list_value()
                                   .values()) {
    const Struct& fields = variable.struct_value();
    if (StringField(fields, "name") != "datasource") continue;
    found_variable = true;
    EXPECT_EQ(StringField(fields, "type"), "datasource");
    EXPECT_EQ(StringField(fields, "query"), "prometheus");
  }
  EXPECT_TRUE(found_variable) << "no templating variable named datasource";

  for (const Struct& panel : Panels(dashboard)) {
    std::string title = StringField(panel, "title");
    const Struct& datasource = Field(panel, "datasource").struct_value();
    EXPECT_EQ(StringField(datasource, "type"), "prometheus") << title;
    EXPECT_EQ(StringField(datasource, "uid"), kDatasourceVariable) << title;

    const auto& targets = Field(panel, "targets").list_value().values();
    EXPECT_FALSE(targets.empty()) << title << " has no query";
    std::set<std::string> ref_ids;
    for (const Value& target : targets) {
      const Struct& fields = target.struct_value();
      EXPECT_TRUE(ref_ids.insert(StringField(fields, "refId")).second) << title;
      EXPECT_EQ(StringField(Field(fields, "datasource").struct_value(), "uid"),
                kDatasourceVariable)
          << title;
      EXPECT_FALSE(StringField(fields, "expr").empty()) << title;
    }
  }
}

TEST(GrafanaDashboard, QueriesSelectKnownNames) {
  std::set<std::string> families = DocumentedFamilies();
  ASSERT_GT(families.size(), 20u) << "docs/metrics.md lists too few families to be read right";
  std::set<std::string> recorded = RecordedNames();
  ASSERT_FALSE(recorded.empty()) << "no recording rules in deploy/prometheus/rules";

  for (const Query& query : Queries(LoadDashboard())) {
    std::set<std::string> names = SelectedNames(query.expr);
    EXPECT_FALSE(names.empty()) << query.where << " selects no metric: " << query.expr;
    for (const std::string& name : names) {
      bool known = name == "up" || recorded.count(name) > 0 || families.count(name) > 0 ||
                   families.count(FamilyOf(name)) > 0;
      EXPECT_TRUE(known) << query.where << ": " << name
                         << " is neither in docs/metrics.md nor recorded in "
                            "deploy/prometheus/rules";
    }
  }
}

// promtool checks PromQL syntax only through rule files, so each
// expression becomes a recording rule of a temporary file.
TEST(GrafanaDashboard, QueriesParseWithPromtool) {
  std::vector<Query> queries = Queries(LoadDashboard());
  ASSERT_FALSE(queries.empty());

  YAML::Emitter rules;
  rules << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
  rules << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "dashboard";
  rules << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
  for (size_t i = 0; i < queries.size(); ++i) {
    rules << YAML::BeginMap << YAML::Key << "record" << YAML::Value
          << absl::StrCat("parley_dashboard_query_", i) << YAML::Key << "expr" << YAML::Value
          << YAML::DoubleQuoted << queries[i].expr << YAML::EndMap;
  }
  rules << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;

  std::string directory = MakeTempDirectory("parley-grafana");
  std::string path = absl::StrCat(directory, "/dashboard-rules.yml");
  std::ofstream(path) << rules.c_str() << "\n";

  const char* promtool = std::getenv("PARLEY_PROMTOOL");
  ChildProcess check({promtool != nullptr && *promtool != '\0' ? promtool : "/usr/bin/promtool",
                      "check", "rules", path},
                     {}, absl::StrCat(directory, "/promtool.log"));
  std::optional<int> status = check.Wait(absl::Seconds(60));
  ASSERT_TRUE(status.has_value()) << "promtool did not finish within 60 s";
  EXPECT_EQ(ExitCodeOf(*status), 0) << check.Log() << "\nrule file:\n" << rules.c_str();
  std::filesystem::remove_all(directory);
}

TEST(GrafanaDashboard, CoversEveryOverviewConsoleGraph) {
  std::set<std::string> panel_titles;
  for (const Struct& panel : Panels(LoadDashboard())) {
    panel_titles.insert(StringField(panel, "title"));
  }
  std::vector<std::string> console_titles = OverviewConsoleTitles();
  ASSERT_GE(console_titles.size(), 6u) << "parley-overview.html was not read right";
  for (const std::string& title : console_titles) {
    EXPECT_TRUE(panel_titles.count(title) > 0)
        << "the overview console has a graph \"" << title << "\" that the dashboard lacks";
  }
}

TEST(GrafanaProvisioning, DatasourceIsTheDashboardDefault) {
  YAML::Node file =
      YAML::LoadFile(SourcePath("deploy/grafana/provisioning/datasources/parley.yml"));
  EXPECT_EQ(file["apiVersion"].as<int>(), 1);
  ASSERT_EQ(file["datasources"].size(), 1u);
  YAML::Node datasource = file["datasources"][0];
  EXPECT_EQ(datasource["type"].as<std::string>(), "prometheus");
  EXPECT_EQ(datasource["access"].as<std::string>(), "proxy");
  EXPECT_EQ(datasource["url"].as<std::string>().rfind("http://", 0), 0u);

  // The dashboard's datasource variable starts on this uid.
  Struct dashboard = LoadDashboard();
  std::string default_uid;
  for (const Value& variable : Field(Field(dashboard, "templating").struct_value(), "list")
                                   .list_value()
                                   .values()) {
    if (StringField(variable.struct_value(), "name") == "datasource") {
      default_uid = StringField(Field(variable.struct_value(), "current").struct_value(), "value");
    }
  }
  EXPECT_EQ(datasource["uid"].as<std::string>(), default_uid);
}

TEST(GrafanaProvisioning, ProviderReadsDashboardFiles) {
  YAML::Node file =
      YAML::LoadFile(SourcePath("deploy/grafana/provisioning/dashboards/parley.yml"));
  EXPECT_EQ(file["apiVersion"].as<int>(), 1);
  ASSERT_EQ(file["providers"].size(), 1u);
  YAML::Node provider = file["providers"][0];
  EXPECT_EQ(provider["type"].as<std::string>(), "file");
  EXPECT_FALSE(provider["name"].as<std::string>().empty());
  EXPECT_EQ(provider["options"]["path"].as<std::string>().rfind('/', 0), 0u)
      << "options.path must be absolute";
}

}  // namespace
}  // namespace parley::testing
