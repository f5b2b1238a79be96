#include "parley/config/mapping_reader.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "temp_file.h"

namespace parley::config {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kFile[] = "test.yaml";

// Parses `text` and returns a reader over it. A syntax error fails the
// test.
MappingReader ReaderFor(const std::string& text) {
  absl::StatusOr<YAML::Node> root = LoadYamlString(text, kFile);
  EXPECT_TRUE(root.ok()) << root.status();
  return MappingReader(kFile, root.ok() ? *root : YAML::Node(YAML::NodeType::Map));
}

// Returns the message of Finish, which the test expects to be an error.
std::string FinishError(MappingReader& reader) {
  absl::Status status = reader.Finish();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  return std::string(status.message());
}

TEST(LoadYamlString, InvalidYamlNamesLine) {
  absl::StatusOr<YAML::Node> root = LoadYamlString("a: 1\nb: [1, 2\nc: 3\n", kFile);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(root.status().message()), StartsWith("test.yaml:"));
  EXPECT_THAT(std::string(root.status().message()), HasSubstr("invalid YAML"));
}

TEST(LoadYamlString, TabIndentNamesLine) {
  absl::StatusOr<YAML::Node> root = LoadYamlString("server:\n  listen: a:1\n\tbad: 2\n", kFile);
  ASSERT_FALSE(root.ok());
  EXPECT_THAT(std::string(root.status().message()), StartsWith("test.yaml:3: invalid YAML"));
}

TEST(LoadYamlString, TopLevelListRejected) {
  absl::StatusOr<YAML::Node> root = LoadYamlString("- a\n- b\n", kFile);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(root.status().message()), HasSubstr("expected a mapping at the top level"));
}

TEST(LoadYamlString, EmptyTextIsEmptyMapping) {
  absl::StatusOr<YAML::Node> root = LoadYamlString("", kFile);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_TRUE(root->IsMap());
  EXPECT_EQ(root->size(), 0u);
}

TEST(LoadYamlFile, MissingFileNamed) {
  absl::StatusOr<YAML::Node> root = LoadYamlFile("/nonexistent/parley/missing.yaml");
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(root.status().message()),
              StartsWith("/nonexistent/parley/missing.yaml: cannot open config file"));
}

TEST(LoadYamlFile, ErrorsNameFilePath) {
  unit_test::TempFile file("broken.yaml", "key: [unclosed\n");
  absl::StatusOr<YAML::Node> root = LoadYamlFile(file.path());
  ASSERT_FALSE(root.ok());
  EXPECT_THAT(std::string(root.status().message()), StartsWith(file.path() + ":"));
}

TEST(MappingReader, ReadsEveryType) {
  MappingReader reader = ReaderFor(
      "name: alpha\n"
      "enabled: true\n"
      "count: 42\n"
      "timeout: 1m30s\n"
      "tags: [x, y]\n"
      "format: json\n");
  std::string name;
  bool enabled = false;
  int64_t count = 0;
  absl::Duration timeout;
  std::vector<std::string> tags;
  std::string format = "text";
  reader.Read("name", &name);
  reader.Read("enabled", &enabled);
  reader.Read("count", &count, 0, 100);
  reader.Read("timeout", &timeout, absl::ZeroDuration(), absl::Hours(1));
  reader.Read("tags", &tags);
  reader.ReadOneOf("format", {"text", "json"}, &format);

  EXPECT_TRUE(reader.Finish().ok());
  EXPECT_EQ(name, "alpha");
  EXPECT_TRUE(enabled);
  EXPECT_EQ(count, 42);
  EXPECT_EQ(timeout, absl::Seconds(90));
  EXPECT_EQ(tags, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(format, "json");
}

TEST(MappingReader, AbsentKeysKeepDefaults) {
  MappingReader reader = ReaderFor("");
  std::string name = "default";
  int64_t count = 7;
  absl::Duration timeout = absl::Seconds(3);
  std::string format = "text";
  reader.Read("name", &name);
  reader.Read("count", &count, 0, 10);
  reader.Read("timeout", &timeout, absl::ZeroDuration(), absl::Hours(1));
  reader.ReadOneOf("format", {"text", "json"}, &format);
  reader.Child("nested").Read("name", &name);

  EXPECT_TRUE(reader.Finish().ok());
  EXPECT_EQ(name, "default");
  EXPECT_EQ(count, 7);
  EXPECT_EQ(timeout, absl::Seconds(3));
  EXPECT_EQ(format, "text");
}

TEST(MappingReader, UnknownTopLevelKey) {
  MappingReader reader = ReaderFor("name: a\nnmae: b\n");
  std::string name;
  reader.Read("name", &name);
  EXPECT_EQ(FinishError(reader), "test.yaml:2: key 'nmae': unknown key");
}

TEST(MappingReader, UnknownNestedKeyDotted) {
  MappingReader reader = ReaderFor(
      "server:\n"
      "  listen: 127.0.0.1:1\n"
      "  reconnect:\n"
      "    initial: 1s\n"
      "    maximum: 2s\n");
  std::string listen;
  absl::Duration initial;
  MappingReader& server = reader.Child("server");
  server.Read("listen", &listen);
  server.Child("reconnect").Read("initial", &initial, absl::ZeroDuration(), absl::Hours(1));
  EXPECT_EQ(FinishError(reader), "test.yaml:5: key 'server.reconnect.maximum': unknown key");
}

TEST(MappingReader, UnreadSectionIsUnknown) {
  MappingReader reader = ReaderFor("log:\n  level: info\n");
  EXPECT_EQ(FinishError(reader), "test.yaml:1: key 'log': unknown key");
}

TEST(MappingReader, StringWhereMappingExpected) {
  MappingReader reader = ReaderFor("server: localhost\n");
  std::string listen = "unchanged";
  reader.Child("server").Read("listen", &listen);
  EXPECT_EQ(FinishError(reader), "test.yaml:1: key 'server': expected a mapping, got 'localhost'");
  EXPECT_EQ(listen, "unchanged");
}

TEST(MappingReader, NullSectionIsEmpty) {
  MappingReader reader = ReaderFor("server:\n");
  std::string listen = "unchanged";
  reader.Child("server").Read("listen", &listen);
  EXPECT_TRUE(reader.Finish().ok());
  EXPECT_EQ(listen, "unchanged");
}

TEST(MappingReader, MappingWhereStringExpected) {
  MappingReader reader = ReaderFor("name:\n  first: a\n");
  std::string name = "unchanged";
  reader.Read("name", &name);
  EXPECT_EQ(FinishError(reader), "test.yaml:2: key 'name': expected a string, got a mapping");
  EXPECT_EQ(name, "unchanged");
}

TEST(MappingReader, NullWhereStringExpected) {
  MappingReader reader = ReaderFor("name:\n");
  std::string name = "unchanged";
  reader.Read("name", &name);
  EXPECT_THAT(FinishError(reader), HasSubstr("key 'name': expected a string, got null"));
}

TEST(MappingReader, NonIntegerRejected) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"count: abc\n", "expected an integer, got 'abc'"},
      {"count: 1.5\n", "expected an integer, got '1.5'"},
      {"count: [1]\n", "expected an integer, got a list"},
      {"count: 99999999999999999999\n", "expected an integer, got '99999999999999999999'"},
  };
  for (const auto& [text, expected] : cases) {
    MappingReader reader = ReaderFor(text);
    int64_t count = 5;
    reader.Read("count", &count, 0, 100);
    EXPECT_EQ(FinishError(reader), "test.yaml:1: key 'count': " + expected) << text;
    EXPECT_EQ(count, 5) << text;
  }
}

TEST(MappingReader, IntegerOutOfRange) {
  MappingReader reader = ReaderFor("low: 0\nhigh: 11\nedge: 10\n");
  int64_t low = 5;
  int64_t high = 5;
  int64_t edge = 5;
  reader.Read("low", &low, 1, 10);
  reader.Read("high", &high, 1, 10);
  reader.Read("edge", &edge, 1, 10);
  EXPECT_EQ(FinishError(reader),
            "test.yaml:1: key 'low': value 0 is out of range [1, 10]\n"
            "test.yaml:2: key 'high': value 11 is out of range [1, 10]");
  EXPECT_EQ(low, 5);
  EXPECT_EQ(high, 5);
  EXPECT_EQ(edge, 10);
}

TEST(MappingReader, BadDurationRejected) {
  const std::vector<std::string> values = {"10", "ten seconds", "10 s", "[1s]"};
  for (const std::string& value : values) {
    MappingReader reader = ReaderFor("timeout: " + value + "\n");
    absl::Duration timeout = absl::Seconds(3);
    reader.Read("timeout", &timeout, absl::ZeroDuration(), absl::Hours(1));
    EXPECT_THAT(FinishError(reader),
                StartsWith("test.yaml:1: key 'timeout': expected a duration such as \"10s\" or "
                           "\"250ms\", got "))
        << value;
    EXPECT_EQ(timeout, absl::Seconds(3)) << value;
  }
}

TEST(MappingReader, DurationOutOfRange) {
  MappingReader reader = ReaderFor("long: 2h\nnegative: -1s\nforever: inf\n");
  absl::Duration value = absl::Seconds(3);
  reader.Read("long", &value, absl::ZeroDuration(), absl::Hours(1));
  reader.Read("negative", &value, absl::ZeroDuration(), absl::Hours(1));
  reader.Read("forever", &value, absl::ZeroDuration(), absl::Hours(1));
  std::string error = FinishError(reader);
  std::vector<std::string> lines = absl::StrSplit(error, '\n');
  ASSERT_EQ(lines.size(), 3u) << error;
  EXPECT_EQ(lines[0], "test.yaml:1: key 'long': duration 2h is out of range [0, 1h]");
  EXPECT_EQ(lines[1], "test.yaml:2: key 'negative': duration -1s is out of range [0, 1h]");
  EXPECT_EQ(lines[2], "test.yaml:3: key 'forever': duration inf is out of range [0, 1h]");
  EXPECT_EQ(value, absl::Seconds(3));
}

TEST(MappingReader, BoolRejectsOtherWords) {
  MappingReader reader = ReaderFor("flag: maybe\n");
  bool flag = false;
  reader.Read("flag", &flag);
  EXPECT_EQ(FinishError(reader), "test.yaml:1: key 'flag': expected true or false, got 'maybe'");
  EXPECT_FALSE(flag);
}

TEST(MappingReader, ListRejectsScalarAndNesting) {
  MappingReader reader = ReaderFor("scalar: a\nnested:\n  - a\n  - [b]\n");
  std::vector<std::string> scalar = {"kept"};
  std::vector<std::string> nested = {"kept"};
  reader.Read("scalar", &scalar);
  reader.Read("nested", &nested);
  EXPECT_EQ(FinishError(reader),
            "test.yaml:1: key 'scalar': expected a list of strings, got 'a'\n"
            "test.yaml:4: key 'nested': expected a list of strings, got a list");
  EXPECT_EQ(scalar, std::vector<std::string>{"kept"});
  EXPECT_EQ(nested, std::vector<std::string>{"kept"});
}

TEST(MappingReader, ReadOneOfRejectsOthers) {
  MappingReader reader = ReaderFor("log:\n  format: xml\n");
  std::string format = "text";
  reader.Child("log").ReadOneOf("format", {"text", "json"}, &format);
  EXPECT_EQ(FinishError(reader),
            "test.yaml:2: key 'log.format': invalid value 'xml', expected one of: text, json");
  EXPECT_EQ(format, "text");
}

TEST(MappingReader, FailNamesKeyLine) {
  MappingReader reader = ReaderFor("first: 1\nsecond: 2\n");
  int64_t first = 0;
  int64_t second = 0;
  reader.Read("first", &first, 0, 10);
  reader.Read("second", &second, 0, 10);
  reader.Fail("second", "must be smaller than first");
  EXPECT_EQ(FinishError(reader), "test.yaml:2: key 'second': must be smaller than first");
}

// YAML requires the keys of a mapping to be unique. yaml-cpp loads a
// repeated key without complaint and lookups see only its first value, so a
// later line that was meant to override silently does nothing.
TEST(MappingReader, DuplicateKeyRejected) {
  MappingReader reader = ReaderFor("count: 1\nname: x\ncount: 2\n");
  int64_t count = 0;
  std::string name;
  reader.Read("count", &count, 0, 10);
  reader.Read("name", &name);
  absl::Status status = reader.Finish();
  ASSERT_FALSE(status.ok()) << "count was read as " << count;
  EXPECT_THAT(std::string(status.message()), HasSubstr("test.yaml:3: key 'count'"));
}

TEST(MappingReader, ReportsAllErrorsTogether) {
  MappingReader reader = ReaderFor(
      "count: many\n"
      "server:\n"
      "  timeout: soon\n"
      "  extra: 1\n"
      "format: xml\n"
      "stray: 2\n");
  int64_t count = 0;
  absl::Duration timeout;
  std::string format = "text";
  reader.Read("count", &count, 0, 10);
  reader.Child("server").Read("timeout", &timeout, absl::ZeroDuration(), absl::Hours(1));
  reader.ReadOneOf("format", {"text", "json"}, &format);

  std::string error = FinishError(reader);
  std::vector<std::string> lines = absl::StrSplit(error, '\n');
  ASSERT_EQ(lines.size(), 5u) << error;
  EXPECT_THAT(lines[0], StartsWith("test.yaml:1: key 'count': expected an integer"));
  EXPECT_THAT(lines[1], StartsWith("test.yaml:3: key 'server.timeout': expected a duration"));
  EXPECT_THAT(lines[2], StartsWith("test.yaml:5: key 'format': invalid value 'xml'"));
  // Unknown keys come last: this mapping's first, then its children's.
  EXPECT_EQ(lines[3], "test.yaml:6: key 'stray': unknown key");
  EXPECT_EQ(lines[4], "test.yaml:4: key 'server.extra': unknown key");
}

}  // namespace
}  // namespace parley::config
