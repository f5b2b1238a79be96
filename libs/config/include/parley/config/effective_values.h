#ifndef PARLEY_CONFIG_EFFECTIVE_VALUES_H_
#define PARLEY_CONFIG_EFFECTIVE_VALUES_H_

// The effective configuration of a service, for its startup log line:
// every key that a MappingReader read, with the value from the file or
// the default the caller had set when the key is absent.
//
//   config::EffectiveValues effective;   // records on this thread
//   auto config = LoadIntakeConfig(path);
//   logger->info("configuration: {}", effective.ToString());

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace parley::config {

class EffectiveValues {
 public:
  // Starts recording the values read on the calling thread. Recorders
  // nest: the innermost one records.
  EffectiveValues();
  ~EffectiveValues();

  EffectiveValues(const EffectiveValues&) = delete;
  EffectiveValues& operator=(const EffectiveValues&) = delete;

  // Dotted keys and their values, in the order read. A key read twice
  // keeps its first position and its last value.
  const std::vector<std::pair<std::string, std::string>>& values() const { return values_; }

  // Returns "key=value" pairs separated by spaces. A value that is empty
  // or contains a space, a quote, a backslash or a control character is
  // quoted and C-escaped.
  std::string ToString() const;

 private:
  friend void RecordEffectiveValue(absl::string_view key, std::string value);

  std::vector<std::pair<std::string, std::string>> values_;
  EffectiveValues* enclosing_;
};

// Records `value` for the dotted `key` in the calling thread's innermost
// EffectiveValues, if any. The value of a key whose last part names a
// secret (it contains "password", "secret", "token" or "credential") is
// replaced by "<redacted>".
void RecordEffectiveValue(absl::string_view key, std::string value);

}  // namespace parley::config

#endif  // PARLEY_CONFIG_EFFECTIVE_VALUES_H_
