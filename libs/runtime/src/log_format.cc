#include "parley/runtime/log_format.h"

#include <ctime>

#include "spdlog/pattern_formatter.h"

namespace parley::runtime {
namespace {

constexpr absl::string_view kReplacementCharacter = "\\ufffd";

// Returns the length of the valid UTF-8 sequence at the start of `text`
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or
// 0 when the first byte does not start one.
size_t Utf8SequenceLength(absl::string_view text) {
  auto byte = [&text](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  if (byte(1) < second_min || byte(1) > second_max) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

void Append(absl::string_view text, spdlog::memory_buf_t& out) {
  out.append(text.data(), text.data() + text.size());
}

void AppendAscii(unsigned char c, spdlog::memory_buf_t& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      Append("\\\"", out);
      return;
    case '\\':
      Append("\\\\", out);
      return;
    case '\n':
      Append("\\n", out);
      return;
    case '\r':
      Append("\\r", out);
      return;
    case '\t':
      Append("\\t", out);
      return;
    case '\b':
      Append("\\b", out);
      return;
    case '\f':
      Append("\\f", out);
      return;
    default:
      break;
  }
  if (c < 0x20 || c == 0x7F) {
    const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
    out.append(escaped, escaped + sizeof(escaped));
    return;
  }
  out.push_back(static_cast<char>(c));
}

// The %* flag: the log message as the contents of a JSON string.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm& /*time*/,
              spdlog::memory_buf_t& out) override {
    AppendJsonEscaped(absl::string_view(message.payload.data(), message.payload.size()), out);
  }

  std::unique_ptr<spdlog::custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

}  // namespace

void AppendJsonEscaped(absl::string_view text, spdlog::memory_buf_t& out) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      AppendAscii(c, out);
      ++i;
      continue;
    }
    size_t length = Utf8SequenceLength(text.substr(i));
    if (length == 0) {
      Append(kReplacementCharacter, out);
      ++i;
      continue;
    }
    out.append(text.data() + i, text.data() + i + length);
    i += length;
  }
}

std::unique_ptr<spdlog::formatter> MakeLogFormatter(const std::string& service,
                                                    const config::LogConfig& config,
                                                    bool journal) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (config.format == "json") {
    // Service and logger names are fixed identifiers that need no escaping.
    formatter->add_flag<JsonMessageFlag>('*');
    formatter->set_pattern("{\"time\":\"%Y-%m-%dT%H:%M:%S.%fZ\",\"level\":\"%l\",\"service\":\"" +
                           service + "\",\"logger\":\"%n\",\"message\":\"%*\"}");
  } else if (journal) {
    formatter->set_pattern("%l [%n] %v");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l [%n] %v");
  }
  return formatter;
}

}  // namespace parley::runtime
