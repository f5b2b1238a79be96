// docs/metrics.md against the services: every metric family a service
// exports is documented for that service, with the same type, and every
// family documented for a service is exported by it.

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "chat_client.h"
#include "gtest/gtest.h"
#include "service_stack.h"

namespace parley::testing {
namespace {

constexpr char kCatalogue[] = PARLEY_SOURCE_DIR "/docs/metrics.md";
const std::vector<std::string> kServices = {"intake", "processor", "broadcaster"};

struct DocumentedFamily {
  std::string type;
  std::set<std::string> services;
};

// Reads the catalogue rows: "| `name` | type | labels | services | meaning |",
// where services is a comma-separated list of service names.
std::map<std::string, DocumentedFamily> ReadCatalogue() {
  std::ifstream in(kCatalogue);
  std::map<std::string, DocumentedFamily> families;
  for (std::string line; std::getline(in, line);) {
    if (!absl::StartsWith(line, "| `")) continue;
    std::vector<std::string> cells = absl::StrSplit(line, '|');
    // A leading and a trailing empty cell around five columns.
    if (cells.size() < 7) continue;
    std::string name(absl::StripAsciiWhitespace(cells[1]));
    name = std::string(absl::StripSuffix(absl::StripPrefix(name, "`"), "`"));
    DocumentedFamily& family = families[name];
    family.type = std::string(absl::StripAsciiWhitespace(cells[2]));
    for (absl::string_view service : absl::StrSplit(cells[4], ',')) {
      family.services.insert(std::string(absl::StripAsciiWhitespace(service)));
    }
  }
  return families;
}

// Returns the family names and types of the "# TYPE name type" lines of a
// scrape.
std::map<std::string, std::string> ExportedFamilies(const std::string& scrape) {
  std::map<std::string, std::string> families;
  std::istringstream in(scrape);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (words.size() == 4 && words[0] == "#" && words[1] == "TYPE") {
      families[words[2]] = std::string(absl::StripAsciiWhitespace(words[3]));
    }
  }
  return families;
}

// Sends a few messages, one invalid one, and waits until a subscriber has
// the valid ones, so that the labelled series of every stage exist.
void SendTraffic(ServiceStack& stack) {
  RecordingSubscriber subscriber(stack.broadcaster_address(), {"lobby"});
  ASSERT_TRUE(subscriber.WaitSubscribed(absl::Seconds(10)));
  IntakeClient client(stack.intake_address());
  constexpr int kMessages = 20;
  for (int i = 0; i < kMessages; ++i) {
    auto reply = client.Send("lobby", "ann", "hello", absl::StrCat("m", i), absl::Seconds(10));
    ASSERT_TRUE(reply.ok()) << reply.status();
  }
  auto invalid = client.Send("no spaces", "ann", "hello", "", absl::Seconds(10));
  ASSERT_EQ(invalid.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(subscriber.WaitForMessages("lobby", kMessages, absl::Seconds(20)));
}

TEST(MetricsCatalogue, MatchesEveryServiceBothWays) {
  std::map<std::string, DocumentedFamily> catalogue = ReadCatalogue();
  ASSERT_GT(catalogue.size(), 20u) << "cannot read the catalogue tables in " << kCatalogue;
  for (const auto& [name, family] : catalogue) {
    for (const std::string& service : family.services) {
      EXPECT_TRUE(std::find(kServices.begin(), kServices.end(), service) != kServices.end())
          << name << " names an unknown service '" << service << "' in " << kCatalogue;
    }
  }

  ServiceStack stack;
  stack.StartAll();
  SendTraffic(stack);

  for (const std::string& service : kServices) {
    std::string scrape = ScrapeMetrics(stack.service(service).metrics_port);
    std::map<std::string, std::string> exported = ExportedFamilies(scrape);
    ASSERT_FALSE(exported.empty()) << "no metrics from " << service << ":\n" << scrape;

    for (const auto& [name, type] : exported) {
      auto documented = catalogue.find(name);
      if (documented == catalogue.end() || !documented->second.services.contains(service)) {
        ADD_FAILURE() << service << " exports " << name << " (" << type
                      << "), which is not documented for it in " << kCatalogue;
        continue;
      }
      EXPECT_EQ(documented->second.type, type) << name << " in " << kCatalogue;
    }
    for (const auto& [name, family] : catalogue) {
      if (!family.services.contains(service)) continue;
      EXPECT_TRUE(exported.contains(name))
          << kCatalogue << " documents " << name << " for " << service
          << ", which does not export it";
    }
  }
}

}  // namespace
}  // namespace parley::testing
