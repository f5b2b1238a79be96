#ifndef PARLEY_TESTS_DASHBOARDS_PROMQL_NAMES_H_
#define PARLEY_TESTS_DASHBOARDS_PROMQL_NAMES_H_

#include <set>
#include <string>

namespace parley::testing {

// Returns the metric and recording-rule names that a PromQL expression
// selects, such as `parley_link_pending_items` in
// `sum by (link) (parley_link_pending_items{job="intake"})`. Skips
// functions and aggregations (a name followed by "("), keywords, label
// names in by/without/on/ignoring/group_left/group_right lists, label
// matchers in braces, strings, durations in brackets and numbers. It reads
// the expressions of Parley's dashboards, not every corner of PromQL: a
// metric selected only through {__name__="..."} is not found.
std::set<std::string> SelectedNames(const std::string& expr);

// Returns the metric family of a series name: the name without a
// histogram's or summary's _bucket, _count or _sum suffix.
std::string FamilyOf(const std::string& name);

}  // namespace parley::testing

#endif  // PARLEY_TESTS_DASHBOARDS_PROMQL_NAMES_H_
