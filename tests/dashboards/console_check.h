#ifndef PARLEY_TESTS_DASHBOARDS_CONSOLE_CHECK_H_
#define PARLEY_TESTS_DASHBOARDS_CONSOLE_CHECK_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace parley::testing {

// Returns the ids of the graph elements (<div class="parley_graph" id=...>)
// in a console page, in page order.
std::vector<std::string> GraphIds(const std::string& html);

// Checks that each graph of `graph_ids` was drawn with data in `dom`, the
// page serialized after its scripts ran. A graph passes with an SVG line
// of at least one point, a legend entry and at least one series for each
// of its expressions. prom_console.js's "No timeseries returned" or "Error
// loading data", or its loading image left behind, fail it.
// Returns one message per graph that fails.
std::vector<std::string> FindGraphsWithoutData(const std::string& dom,
                                               const std::vector<std::string>& graph_ids);

// Returns the rows of the "Now" tables of a console page, label to value,
// with nullopt for a row that shows no data.
std::map<std::string, std::optional<double>> NowValues(const std::string& html);

}  // namespace parley::testing

#endif  // PARLEY_TESTS_DASHBOARDS_CONSOLE_CHECK_H_
