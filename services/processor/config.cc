#include "config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace parley::processor {
namespace {

// Resolves `path` against the folder of the config file `config_path`
// unless it is absolute.
std::string ResolvePath(const std::string& config_path, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  size_t slash = config_path.rfind('/');
  if (slash == std::string::npos) return path;
  return absl::StrCat(config_path.substr(0, slash + 1), path);
}

// Reads a word list: one word per line, with blank lines and lines that
// start with '#' skipped. Errors name the file and the line.
absl::StatusOr<std::vector<std::string>> ReadWordsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  std::vector<std::string> words;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    absl::string_view word = absl::StripAsciiWhitespace(line);
    if (word.empty() || word.front() == '#') continue;
    absl::Status status = chat::WordFilter::CheckWord(absl::StrCat(path, ":", number), word);
    if (!status.ok()) return status;
    words.emplace_back(word);
  }
  if (in.bad()) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  return words;
}

void ReadModeration(config::MappingReader& reader, const std::string& config_path,
                    ModerationOptions* moderation) {
  std::string action = "off";
  reader.ReadOneOf("action", {"off", "reject", "mask"}, &action);
  std::vector<std::string> words;
  reader.Read("words", &words);
  std::string words_file;
  reader.Read("words_file", &words_file);
  if (!words_file.empty()) {
    absl::StatusOr<std::vector<std::string>> listed =
        ReadWordsFile(ResolvePath(config_path, words_file));
    if (!listed.ok()) {
      reader.Fail("words_file", listed.status().message());
      return;
    }
    words.insert(words.end(), listed->begin(), listed->end());
  }
  absl::StatusOr<chat::WordFilter> filter = chat::WordFilter::Create("words", words);
  if (!filter.ok()) {
    reader.Fail("words", filter.status().message());
    return;
  }
  if (action != "off" && filter->empty()) {
    reader.Fail("action", absl::StrCat("is '", action,
                                       "' but moderation.words and moderation.words_file "
                                       "list no words"));
    return;
  }
  moderation->action = action == "reject" ? ModerationAction::kReject
                       : action == "mask" ? ModerationAction::kMask
                                          : ModerationAction::kOff;
  moderation->words = *std::move(filter);
}

}  // namespace

absl::StatusOr<ProcessorConfig> LoadProcessorConfig(const std::string& path) {
  auto root = config::LoadYamlFile(path);
  if (!root.ok()) return root.status();

  ProcessorConfig result;
  config::MappingReader reader(path, *root);
  config::ReadServer(reader.Child("server"), &result.server);
  config::ReadLog(reader.Child("log"), &result.log);
  config::ReadLink(reader.Child("broadcaster"), &result.broadcaster);
  config::MappingReader& dedup = reader.Child("dedup");
  dedup.Read("window", &result.dedup_window, absl::Seconds(1), absl::Hours(24));
  dedup.Read("max_entries", &result.dedup_max_entries, 1, 100'000'000);
  reader.Child("replay").Read("max_messages_per_room", &result.replay_max_messages_per_room, 0,
                              10'000'000);
  reader.Read("queue_capacity", &result.queue_capacity, 1, 1'000'000);
  reader.Read("stall_timeout", &result.stall_timeout, absl::Milliseconds(100), absl::Hours(1));
  reader.Read("commit_delay", &result.commit_delay, absl::ZeroDuration(), absl::Minutes(10));
  ReadModeration(reader.Child("moderation"), path, &result.moderation);
  if (auto status = reader.Finish(); !status.ok()) return status;
  return result;
}

}  // namespace parley::processor
