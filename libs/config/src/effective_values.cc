#include "parley/config/effective_values.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace parley::config {
namespace {

thread_local EffectiveValues* current_recorder = nullptr;

bool NamesSecret(absl::string_view key) {
  size_t dot = key.rfind('.');
  std::string last = absl::AsciiStrToLower(dot == absl::string_view::npos ? key
                                                                           : key.substr(dot + 1));
  for (absl::string_view word : {"password", "secret", "token", "credential"}) {
    if (absl::StrContains(last, word)) return true;
  }
  return false;
}

bool NeedsQuotes(absl::string_view value) {
  return value.empty() || value.find_first_of(" \"\\") != absl::string_view::npos ||
         std::any_of(value.begin(), value.end(),
                     [](char c) { return absl::ascii_iscntrl(static_cast<unsigned char>(c)); });
}

}  // namespace

EffectiveValues::EffectiveValues() : enclosing_(current_recorder) { current_recorder = this; }

EffectiveValues::~EffectiveValues() { current_recorder = enclosing_; }

std::string EffectiveValues::ToString() const {
  std::string text;
  for (const auto& [key, value] : values_) {
    if (!text.empty()) text.push_back(' ');
    absl::StrAppend(&text, key, "=");
    if (NeedsQuotes(value)) {
      absl::StrAppend(&text, "\"", absl::CEscape(value), "\"");
    } else {
      absl::StrAppend(&text, value);
    }
  }
  return text;
}

void RecordEffectiveValue(absl::string_view key, std::string value) {
  EffectiveValues* recorder = current_recorder;
  if (recorder == nullptr) return;
  if (NamesSecret(key)) value = "<redacted>";
  auto& values = recorder->values_;
  auto it = std::find_if(values.begin(), values.end(),
                         [key](const auto& entry) { return entry.first == key; });
  if (it != values.end()) {
    it->second = std::move(value);
    return;
  }
  values.emplace_back(std::string(key), std::move(value));
}

}  // namespace parley::config
