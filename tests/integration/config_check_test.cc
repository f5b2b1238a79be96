// --check-config and start-up with a bad config: errors name the file, the
// line and the key, and the process exits non-zero.

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "child_process.h"
#include "gtest/gtest.h"
#include "service_stack.h"

namespace parley::testing {
namespace {

class ConfigCheck : public ::testing::TestWithParam<std::string> {
 protected:
  // Runs the service binary with `args` and returns its exit code and output.
  std::pair<int, std::string> Run(std::vector<std::string> args) {
    std::string directory = MakeTempDirectory("parley-config");
    args.insert(args.begin(), absl::StrCat(BinaryDirectory(), "/parley-", GetParam()));
    ChildProcess process(args, {}, directory + "/output.log");
    auto status = process.Wait(absl::Seconds(20));
    return {status ? ExitCodeOf(*status) : -1, process.Log()};
  }

  std::string WriteFile(const std::string& text) {
    std::string path = MakeTempDirectory("parley-config") + "/" + GetParam() + ".yaml";
    std::ofstream(path) << text;
    return path;
  }
};

TEST_P(ConfigCheck, ShippedConfigIsValid) {
  std::string path = absl::StrCat(PARLEY_SOURCE_DIR, "/deploy/config/", GetParam(), ".yaml");
  auto [code, output] = Run({"--check-config", "--config", path});
  EXPECT_EQ(code, 0) << output;
  EXPECT_TRUE(absl::StrContains(output, "valid")) << output;
}

TEST_P(ConfigCheck, UnknownKeyNamesFileLineAndKey) {
  std::string path = WriteFile("server:\n  listen: 127.0.0.1:0\n  listne: x\n");
  auto [code, output] = Run({"--check-config", "--config", path});
  EXPECT_NE(code, 0);
  EXPECT_TRUE(absl::StrContains(output, path + ":3: key 'server.listne': unknown key")) << output;
}

TEST_P(ConfigCheck, WrongTypeAndBadValue) {
  std::string path = WriteFile("server:\n  drain_timeout: soon\nlog:\n  level: loud\n");
  auto [code, output] = Run({"--check-config", "--config", path});
  EXPECT_NE(code, 0);
  EXPECT_TRUE(absl::StrContains(output, ":2: key 'server.drain_timeout'")) << output;
  EXPECT_TRUE(absl::StrContains(output, ":4: key 'log.level': invalid value 'loud'")) << output;
}

TEST_P(ConfigCheck, StartWithBadConfigExitsNonZero) {
  std::string path = WriteFile("[not, a, mapping");
  auto [code, output] = Run({"--config", path});
  EXPECT_NE(code, 0);
  EXPECT_TRUE(absl::StrContains(output, "invalid YAML")) << output;
}

TEST_P(ConfigCheck, MissingFileIsReported) {
  auto [code, output] = Run({"--check-config", "--config", "/nonexistent/parley.yaml"});
  EXPECT_NE(code, 0);
  EXPECT_TRUE(absl::StrContains(output, "/nonexistent/parley.yaml: cannot open")) << output;
}

INSTANTIATE_TEST_SUITE_P(EachService, ConfigCheck,
                         ::testing::Values("intake", "processor", "broadcaster"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace parley::testing
