#include "parley/config/mapping_reader.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "parley/config/effective_values.h"

namespace parley::config {
namespace {

std::string Location(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return file;
  return absl::StrCat(file, ":", mark.line + 1);
}

std::string Formatted(const std::string& value) { return value; }
std::string Formatted(bool value) { return value ? "true" : "false"; }
std::string Formatted(int64_t value) { return absl::StrCat(value); }
std::string Formatted(absl::Duration value) { return absl::FormatDuration(value); }
// Lists can be long (a moderation word list), so only their size is shown.
std::string Formatted(const std::vector<std::string>& value) {
  return absl::StrCat("[", value.size(), " items]");
}

// Records the value of a key as it is when a Read returns, whichever way it
// returns, for the effective configuration in the startup log.
template <typename T>
class RecordOnReturn {
 public:
  RecordOnReturn(std::string key, const T* value) : key_(std::move(key)), value_(value) {}
  ~RecordOnReturn() { RecordEffectiveValue(key_, Formatted(*value_)); }

  RecordOnReturn(const RecordOnReturn&) = delete;
  RecordOnReturn& operator=(const RecordOnReturn&) = delete;

 private:
  std::string key_;
  const T* value_;
};

std::string Shown(const YAML::Node& node) {
  if (node.IsScalar()) return absl::StrCat("'", node.Scalar(), "'");
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "null";
}

}  // namespace

absl::StatusOr<YAML::Node> LoadYamlString(const std::string& text, const std::string& file) {
  try {
    YAML::Node root = YAML::Load(text);
    if (root.IsNull()) return YAML::Node(YAML::NodeType::Map);
    if (!root.IsMap()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Location(file, root.Mark()), ": expected a mapping at the top level"));
    }
    return root;
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(
        absl::StrCat(Location(file, error.mark), ": invalid YAML: ", error.msg));
  }
}

absl::StatusOr<YAML::Node> LoadYamlFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot open config file"));
  }
  std::stringstream text;
  text << in.rdbuf();
  return LoadYamlString(text.str(), path);
}

MappingReader::MappingReader(std::string file, YAML::Node node)
    : MappingReader(std::make_shared<std::vector<std::string>>(), std::move(file),
                    std::move(node), "") {}

MappingReader::MappingReader(std::shared_ptr<std::vector<std::string>> errors, std::string file,
                             YAML::Node node, std::string prefix)
    : errors_(std::move(errors)),
      file_(std::move(file)),
      node_(std::move(node)),
      prefix_(std::move(prefix)) {}

YAML::Node MappingReader::Lookup(absl::string_view key) {
  known_keys_.emplace(key);
  if (!node_.IsMap()) return YAML::Node();
  return node_[std::string(key)];
}

std::string MappingReader::Dotted(absl::string_view key) const {
  return prefix_.empty() ? std::string(key) : absl::StrCat(prefix_, ".", key);
}

void MappingReader::FailAt(const YAML::Node& node, absl::string_view key,
                           absl::string_view message) {
  errors_->push_back(absl::StrCat(Location(file_, node.Mark()), ": key '", Dotted(key),
                                  "': ", message));
}

void MappingReader::Fail(absl::string_view key, absl::string_view message) {
  YAML::Node node = node_.IsMap() ? node_[std::string(key)] : YAML::Node();
  FailAt(node.IsDefined() ? node : node_, key, message);
}

void MappingReader::Read(absl::string_view key, std::string* out) {
  RecordOnReturn record(Dotted(key), out);
  YAML::Node node = Lookup(key);
  if (!node.IsDefined()) return;
  if (!node.IsScalar()) {
    FailAt(node, key, absl::StrCat("expected a string, got ", Shown(node)));
    return;
  }
  *out = node.Scalar();
}

void MappingReader::Read(absl::string_view key, bool* out) {
  RecordOnReturn record(Dotted(key), out);
  YAML::Node node = Lookup(key);
  if (!node.IsDefined()) return;
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
    FailAt(node, key, absl::StrCat("expected true or false, got ", Shown(node)));
    return;
  }
  *out = value;
}

void MappingReader::Read(absl::string_view key, int64_t* out, int64_t min, int64_t max) {
  RecordOnReturn record(Dotted(key), out);
  YAML::Node node = Lookup(key);
  if (!node.IsDefined()) return;
  int64_t value = 0;
  if (!node.IsScalar() || !YAML::convert<int64_t>::decode(node, value)) {
    FailAt(node, key, absl::StrCat("expected an integer, got ", Shown(node)));
    return;
  }
  if (value < min || value > max) {
    FailAt(node, key, absl::StrCat("value ", value, " is out of range [", min, ", ", max, "]"));
    return;
  }
  *out = value;
}

void MappingReader::Read(absl::string_view key, absl::Duration* out, absl::Duration min,
                         absl::Duration max) {
  RecordOnReturn record(Dotted(key), out);
  YAML::Node node = Lookup(key);
  if (!node.IsDefined()) return;
  absl::Duration value;
  if (!node.IsScalar() || !absl::ParseDuration(node.Scalar(), &value)) {
    FailAt(node, key,
           absl::StrCat("expected a duration such as \"10s\" or \"250ms\", got ", Shown(node)));
    return;
  }
  if (value < min || value > max) {
    FailAt(node, key,
           absl::StrCat("duration ", absl::FormatDuration(value), " is out of range [",
                        absl::FormatDuration(min), ", ", absl::FormatDuration(max), "]"));
    return;
  }
  *out = value;
}

void MappingReader::Read(absl::string_view key, std::vector<std::string>* out) {
  RecordOnReturn record(Dotted(key), out);
  YAML::Node node = Lookup(key);
  if (!node.IsDefined()) return;
  if (!node.IsSequence()) {
    FailAt(node, key, absl::StrCat("expected a list of strings, got ", Shown(node)));
    return;
  }
  std::vector<std::string> values;
  for (const YAML::Node& element : node) {
    if (!element.IsScalar()) {
      FailAt(element, key, absl::StrCat("expected a list of strings, got ", Shown(element)));
      return;
    }
    values.push_back(element.Scalar());
  }
  *out = std::move(values);
}

void MappingReader::ReadOneOf(absl::string_view key, const std::vector<std::string>& allowed,
                              std::string* out) {
  std::string value = *out;
  Read(key, &value);
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    Fail(key, absl::StrCat("invalid value '", value, "', expected one of: ",
                           absl::StrJoin(allowed, ", ")));
    return;
  }
  *out = value;
}

MappingReader& MappingReader::Child(absl::string_view key) {
  YAML::Node node = Lookup(key);
  if (node.IsDefined() && !node.IsMap() && !node.IsNull()) {
    FailAt(node, key, absl::StrCat("expected a mapping, got ", Shown(node)));
  }
  YAML::Node child = node.IsDefined() && node.IsMap() ? node : YAML::Node(YAML::NodeType::Map);
  children_.push_back(MappingReader(errors_, file_, child, Dotted(key)));
  return children_.back();
}

void MappingReader::CollectUnknownKeys() {
  if (node_.IsMap()) {
    std::set<std::string> seen;
    for (const auto& entry : node_) {
      std::string key = entry.first.as<std::string>();
      if (!seen.insert(key).second) {
        // yaml-cpp keeps both copies and lookups see only the first one.
        FailAt(entry.first, key, "duplicate key");
      } else if (!known_keys_.contains(key)) {
        FailAt(entry.first, key, "unknown key");
      }
    }
  }
  for (MappingReader& child : children_) child.CollectUnknownKeys();
}

absl::Status MappingReader::Finish() {
  CollectUnknownKeys();
  if (errors_->empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(*errors_, "\n"));
}

}  // namespace parley::config
