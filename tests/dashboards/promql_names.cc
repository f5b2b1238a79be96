#include "promql_names.h"

#include <cctype>

#include "absl/strings/match.h"

namespace parley::testing {
namespace {

bool IsNameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}

bool IsNameChar(char c) { return IsNameStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

// Keywords that are followed by a parenthesized list of label names.
bool TakesLabelList(const std::string& word) {
  return word == "by" || word == "without" || word == "on" || word == "ignoring" ||
         word == "group_left" || word == "group_right";
}

bool IsKeyword(const std::string& word) {
  static const std::set<std::string> kKeywords = {"and", "or", "unless", "bool", "offset",
                                                  "inf", "nan", "atan2"};
  std::string lower;
  for (char c : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return kKeywords.count(lower) > 0;
}

// Returns whether the word at `start` is `by` or `without`, which follow
// an aggregation's name in the form `sum by (job) (...)`.
bool IsAggregationModifier(const std::string& expr, size_t start) {
  size_t end = start;
  while (end < expr.size() && IsNameChar(expr[end])) ++end;
  std::string word = expr.substr(start, end - start);
  return word == "by" || word == "without";
}

// Returns the index just past the bracket that closes the one at `open`,
// skipping quoted strings inside.
size_t SkipBracketed(const std::string& expr, size_t open, char close) {
  size_t i = open + 1;
  while (i < expr.size() && expr[i] != close) {
    if (expr[i] == '"' || expr[i] == '\'' || expr[i] == '`') {
      char quote = expr[i++];
      while (i < expr.size() && expr[i] != quote) i += expr[i] == '\\' ? 2 : 1;
    }
    ++i;
  }
  return i + 1;
}

size_t SkipSpace(const std::string& expr, size_t i) {
  while (i < expr.size() && std::isspace(static_cast<unsigned char>(expr[i]))) ++i;
  return i;
}

}  // namespace

std::set<std::string> SelectedNames(const std::string& expr) {
  std::set<std::string> names;
  size_t i = 0;
  while (i < expr.size()) {
    char c = expr[i];
    if (c == '"' || c == '\'' || c == '`') {
      i = SkipBracketed(expr, i, c);
    } else if (c == '{') {
      i = SkipBracketed(expr, i, '}');
    } else if (c == '[') {
      i = SkipBracketed(expr, i, ']');
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      // A number such as 0.99, 1e3 or a duration such as 5m after offset.
      while (i < expr.size() && (IsNameChar(expr[i]) || expr[i] == '.')) ++i;
    } else if (IsNameStart(c)) {
      size_t start = i;
      while (i < expr.size() && IsNameChar(expr[i])) ++i;
      std::string word = expr.substr(start, i - start);
      size_t next = SkipSpace(expr, i);
      if (TakesLabelList(word)) {
        if (next < expr.size() && expr[next] == '(') i = SkipBracketed(expr, next, ')');
      } else if (next < expr.size() && expr[next] == '(') {
        // A function or aggregation; its arguments are read on.
      } else if (IsAggregationModifier(expr, next)) {
        // An aggregation written as `sum by (job) (...)`.
      } else if (!IsKeyword(word)) {
        names.insert(word);
      }
    } else {
      ++i;
    }
  }
  return names;
}

std::string FamilyOf(const std::string& name) {
  for (const char* suffix : {"_bucket", "_count", "_sum"}) {
    if (absl::EndsWith(name, suffix)) return name.substr(0, name.size() - std::string(suffix).size());
  }
  return name;
}

}  // namespace parley::testing
