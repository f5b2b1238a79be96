#include "parley/runtime/log_format.h"

#include <sstream>
#include <string>
#include <vector>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"

namespace parley::runtime {
namespace {

std::string Escaped(absl::string_view text) {
  spdlog::memory_buf_t out;
  AppendJsonEscaped(text, out);
  return std::string(out.data(), out.size());
}

TEST(JsonEscape, QuotesAndBackslashes) {
  EXPECT_EQ(Escaped(R"(say "hi" \ bye)"), R"(say \"hi\" \\ bye)");
}

TEST(JsonEscape, ControlCharacters) {
  EXPECT_EQ(Escaped("a\nb\rc\td\be\ff"), R"(a\nb\rc\td\be\ff)");
  EXPECT_EQ(Escaped(std::string("\x01\x1f\x7f", 3)), R"(\u0001\u001f\u007f)");
  EXPECT_EQ(Escaped(std::string("nul\0byte", 8)), R"(nul\u0000byte)");
}

TEST(JsonEscape, KeepsValidUtf8) {
  EXPECT_EQ(Escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST(JsonEscape, ReplacesInvalidUtf8ByteByByte) {
  EXPECT_EQ(Escaped("a\xff"
                    "b"),
            R"(a\ufffdb)");
  // A sequence cut short: the lead byte and its one continuation byte.
  EXPECT_EQ(Escaped("\xe2\x82"), R"(\ufffd\ufffd)");
  // Overlong '/', a UTF-16 surrogate, and a code point above U+10FFFF.
  EXPECT_EQ(Escaped("\xc0\xaf"), R"(\ufffd\ufffd)");
  EXPECT_EQ(Escaped("\xed\xa0\x80"), R"(\ufffd\ufffd\ufffd)");
  EXPECT_EQ(Escaped("\xf4\x90\x80\x80"), R"(\ufffd\ufffd\ufffd\ufffd)");
}

// Logs each text through a JSON-format logger and returns the lines.
std::vector<std::string> LogJsonLines(const std::vector<std::string>& texts) {
  std::ostringstream stream;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream);
  spdlog::logger logger("link.processor", sink);
  logger.set_formatter(MakeLogFormatter("intake", config::LogConfig{.format = "json"}, false));
  for (const std::string& text : texts) logger.info("{}", text);
  logger.flush();

  std::vector<std::string> lines;
  std::istringstream in(stream.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(JsonLogFormat, EveryLineParsesAsJson) {
  using std::string_literals::operator""s;
  struct Case {
    std::string text;
    std::string parsed;  // the message field after JSON parsing
  };
  std::vector<Case> cases = {
      {"plain", "plain"},
      {R"(quoted "room" and C:\path)", R"(quoted "room" and C:\path)"},
      {"two\nlines\tand a tab", "two\nlines\tand a tab"},
      {"control \x01\x1b[31m and nul \0"s, "control \x01\x1b[31m and nul \0"s},
      {"caf\xc3\xa9 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xf0\x9f\x98\x80"},
      {"broken \xff\xfe utf-8 \xc3", "broken \uFFFD\uFFFD utf-8 \uFFFD"},
  };
  std::vector<std::string> texts;
  for (const Case& c : cases) texts.push_back(c.text);
  std::vector<std::string> lines = LogJsonLines(texts);
  ASSERT_EQ(lines.size(), cases.size());

  for (size_t i = 0; i < lines.size(); ++i) {
    google::protobuf::Struct parsed;
    auto status = google::protobuf::util::JsonStringToMessage(lines[i], &parsed);
    ASSERT_TRUE(status.ok()) << status.ToString() << "\nline: " << lines[i];
    const auto& fields = parsed.fields();
    EXPECT_EQ(fields.at("message").string_value(), cases[i].parsed) << "line: " << lines[i];
    EXPECT_EQ(fields.at("service").string_value(), "intake");
    EXPECT_EQ(fields.at("level").string_value(), "info");
    EXPECT_EQ(fields.at("logger").string_value(), "link.processor");
    EXPECT_TRUE(fields.contains("time"));
  }
}

TEST(TextLogFormat, JournalLinesHaveNoTime) {
  std::ostringstream stream;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream);
  spdlog::logger logger("send", sink);
  logger.set_formatter(MakeLogFormatter("intake", config::LogConfig{}, true));
  logger.warn("link down");
  EXPECT_EQ(stream.str(), "warning [send] link down\n");
}

}  // namespace
}  // namespace parley::runtime
