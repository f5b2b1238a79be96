#ifndef PARLEY_CONFIG_MAPPING_READER_H_
#define PARLEY_CONFIG_MAPPING_READER_H_

// Strict reading of a YAML config: every key a service does not know, every
// value of the wrong type and every value out of range is an error that
// names the file, the line and the dotted key.
//
//   auto root = LoadYamlFile(path);          // syntax errors name the line
//   MappingReader reader(path, *root);
//   reader.Read("listen", &config.listen);
//   MappingReader& log = reader.Child("log");
//   log.ReadOneOf("format", {"text", "json"}, &config.log_format);
//   absl::Status status = reader.Finish();   // all errors, unknown keys too

#include <cstdint>
#include <list>
#include <memory>
#include <set>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "yaml-cpp/yaml.h"

namespace parley::config {

// Parses `path` as YAML. A missing file or a syntax error returns
// INVALID_ARGUMENT naming the file (and the line for syntax errors).
absl::StatusOr<YAML::Node> LoadYamlFile(const std::string& path);

// Parses YAML text; `file` only names the source in errors.
absl::StatusOr<YAML::Node> LoadYamlString(const std::string& text, const std::string& file);

// Reads the keys of one mapping. Absent keys leave the output unchanged, so
// callers set defaults first. Not thread-safe.
class MappingReader {
 public:
  MappingReader(std::string file, YAML::Node node);

  void Read(absl::string_view key, std::string* out);
  void Read(absl::string_view key, bool* out);
  void Read(absl::string_view key, int64_t* out, int64_t min, int64_t max);
  // Durations are strings such as "10s", "250ms" or "1m30s".
  void Read(absl::string_view key, absl::Duration* out, absl::Duration min, absl::Duration max);
  void Read(absl::string_view key, std::vector<std::string>* out);
  void ReadOneOf(absl::string_view key, const std::vector<std::string>& allowed,
                 std::string* out);

  // Returns a reader for a nested mapping. An absent key gives a reader of
  // an empty mapping; a key that is not a mapping is an error.
  MappingReader& Child(absl::string_view key);

  // Records an error about `key` that the caller found, such as a value
  // that conflicts with another one.
  void Fail(absl::string_view key, absl::string_view message);

  // Reports unknown keys in this mapping and every child, and returns all
  // errors recorded so far as one INVALID_ARGUMENT status, one per line.
  absl::Status Finish();

 private:
  MappingReader(std::shared_ptr<std::vector<std::string>> errors, std::string file,
                YAML::Node node, std::string prefix);

  // Returns the node for `key` and marks the key as known; null if absent.
  YAML::Node Lookup(absl::string_view key);
  void FailAt(const YAML::Node& node, absl::string_view key, absl::string_view message);
  std::string Dotted(absl::string_view key) const;
  void CollectUnknownKeys();

  std::shared_ptr<std::vector<std::string>> errors_;
  std::string file_;
  YAML::Node node_;
  std::string prefix_;
  std::set<std::string, std::less<>> known_keys_;
  std::list<MappingReader> children_;  // stable addresses for Child()
};

}  // namespace parley::config

#endif  // PARLEY_CONFIG_MAPPING_READER_H_
