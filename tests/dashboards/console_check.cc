#include "console_check.h"

#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace parley::testing {
namespace {

constexpr char kGraphOpening[] = "<div class=\"parley_graph\" id=\"";

// Returns the part of `dom` from the graph element `id` to the start of
// the next panel, or an empty string when the element is missing.
std::string GraphSection(const std::string& dom, const std::string& id) {
  size_t start = dom.find(absl::StrCat(kGraphOpening, id, "\""));
  if (start == std::string::npos) return "";
  size_t end = dom.find("class=\"parley_panel\"", start);
  if (end == std::string::npos) end = dom.find("</body>", start);
  if (end == std::string::npos) end = dom.size();
  return dom.substr(start, end - start);
}

// Returns which expressions of a graph returned no series, from the
// data-series-per-expr attribute that parleyGraph in parley.lib sets, or
// an empty string when each returned at least one.
std::string EmptyExpressions(const std::string& section) {
  static const std::regex kCounts(R"re(^[^>]* data-series-per-expr="([0-9,]*)")re");
  std::smatch match;
  if (!std::regex_search(section, match, kCounts)) return "no data-series-per-expr attribute";
  std::vector<std::string> counts = absl::StrSplit(match[1].str(), ',');
  std::vector<std::string> empty;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == "0") empty.push_back(absl::StrCat(i + 1));
  }
  if (empty.empty()) return "";
  return absl::StrCat("expression ", absl::StrJoin(empty, ", "), " of ", counts.size(),
                      " returned no series");
}

}  // namespace

std::vector<std::string> GraphIds(const std::string& html) {
  std::vector<std::string> ids;
  size_t position = 0;
  while ((position = html.find(kGraphOpening, position)) != std::string::npos) {
    position += sizeof(kGraphOpening) - 1;
    size_t quote = html.find('"', position);
    if (quote == std::string::npos) break;
    ids.push_back(html.substr(position, quote - position));
  }
  return ids;
}

std::vector<std::string> FindGraphsWithoutData(const std::string& dom,
                                               const std::vector<std::string>& graph_ids) {
  // Rickshaw draws a series as <path class="path" d="M x,y L x,y ...">.
  static const std::regex kLineWithPoints(R"(<path[^>]* d="M[-0-9.e]+,[-0-9.e]+)");
  std::vector<std::string> problems;
  for (const std::string& id : graph_ids) {
    std::string section = GraphSection(dom, id);
    if (section.empty()) {
      problems.push_back(absl::StrCat(id, ": graph element missing from the page"));
    } else if (section.find("No timeseries returned") != std::string::npos) {
      problems.push_back(absl::StrCat(id, ": no time series returned"));
    } else if (section.find("Error loading data") != std::string::npos) {
      problems.push_back(absl::StrCat(id, ": error loading data"));
    } else if (section.find("prom_graph_loading") != std::string::npos) {
      problems.push_back(absl::StrCat(id, ": still loading, or a query failed"));
    } else if (section.find("<svg") == std::string::npos ||
               !std::regex_search(section, kLineWithPoints)) {
      problems.push_back(absl::StrCat(id, ": no line drawn"));
    } else if (section.find("<li class=\"line") == std::string::npos) {
      problems.push_back(absl::StrCat(id, ": no legend entry"));
    } else if (std::string empty = EmptyExpressions(section); !empty.empty()) {
      problems.push_back(absl::StrCat(id, ": ", empty));
    }
  }
  return problems;
}

std::map<std::string, std::optional<double>> NowValues(const std::string& html) {
  static const std::regex kRow(
      R"re(<tr><td>([^<]*)</td><td class="parley_value( parley_no_data)?" data-expr="[^"]*"(?: data-value="([^"]*)")?)re");
  std::map<std::string, std::optional<double>> values;
  for (auto match = std::sregex_iterator(html.begin(), html.end(), kRow);
       match != std::sregex_iterator(); ++match) {
    std::string label = (*match)[1];
    double value = 0;
    // html/template writes + in an attribute as &#43;.
    std::string text = absl::StrReplaceAll((*match)[3].str(), {{"&#43;", "+"}});
    if ((*match)[2].matched || !absl::SimpleAtod(text, &value)) {
      values[label] = std::nullopt;
    } else {
      values[label] = value;
    }
  }
  return values;
}

}  // namespace parley::testing
