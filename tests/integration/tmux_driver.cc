#include "tmux_driver.h"

#include <unistd.h>

#include <stdexcept>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "child_process.h"

namespace parley::testing {
namespace {

// posix_spawn does not search PATH.
constexpr char kTmux[] = "/usr/bin/tmux";
// Time between two captures while waiting for the screen to change.
constexpr absl::Duration kCaptureInterval = absl::Milliseconds(50);
// Maximum time one tmux command may take on a loaded machine.
constexpr absl::Duration kCommandTimeout = absl::Seconds(30);

}  // namespace

TmuxDriver::TmuxDriver(std::string directory)
    : directory_(std::move(directory)),
      socket_name_(absl::StrCat("parley-test-", getpid(), "-", absl::ToUnixNanos(absl::Now()))) {}

TmuxDriver::~TmuxDriver() {
  try {
    Run({"kill-server"});
  } catch (const std::exception&) {
    // No server runs when no session was started.
  }
}

void TmuxDriver::NewSession(const std::string& session, const std::vector<std::string>& argv) {
  // A UTF-8 locale, so that the program reads and shows non-ASCII text
  // whatever locale the test runs in.
  std::vector<std::string> arguments = {"new-session", "-d", "-s", session, "-x", "160",
                                        "-y",          "40", "-e", "LC_ALL=C.UTF-8"};
  arguments.insert(arguments.end(), argv.begin(), argv.end());
  Run(arguments);
  Run({"set-option", "-t", session, "remain-on-exit", "on"});
}

void TmuxDriver::Type(const std::string& session, const std::string& text) {
  Run({"send-keys", "-t", session, "-l", text});
}

void TmuxDriver::Press(const std::string& session, const std::string& key) {
  Run({"send-keys", "-t", session, key});
}

std::string TmuxDriver::Capture(const std::string& session) {
  std::string screen = Run({"capture-pane", "-p", "-t", session});
  while (!screen.empty() && (screen.back() == '\n' || screen.back() == ' ')) screen.pop_back();
  return screen;
}

bool TmuxDriver::WaitFor(const std::string& session,
                         const std::function<bool(const std::string&)>& predicate,
                         absl::Duration timeout, std::string* screen) {
  const absl::Time deadline = absl::Now() + timeout;
  std::string last;
  while (true) {
    last = Capture(session);
    if (predicate(last)) break;
    if (absl::Now() >= deadline) {
      if (screen != nullptr) *screen = last;
      return false;
    }
    absl::SleepFor(kCaptureInterval);
  }
  if (screen != nullptr) *screen = last;
  return true;
}

bool TmuxDriver::WaitForText(const std::string& session, const std::string& text,
                             absl::Duration timeout, std::string* screen) {
  return WaitFor(
      session, [&text](const std::string& captured) { return captured.find(text) != std::string::npos; },
      timeout, screen);
}

std::string TmuxDriver::Run(const std::vector<std::string>& arguments) {
  // -u makes tmux pass UTF-8 through even when the test's locale is "C".
  std::vector<std::string> argv = {kTmux, "-u", "-L", socket_name_};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  const std::string log = absl::StrCat(directory_, "/tmux.", ++commands_run_, ".out");
  ChildProcess tmux(argv, {}, log);
  const std::optional<int> status = tmux.Wait(kCommandTimeout);
  if (!status || ExitCodeOf(*status) != 0) {
    throw std::runtime_error(absl::StrCat("tmux ", arguments.front(), " failed: ", tmux.Log()));
  }
  return tmux.Log();
}

std::string LastLine(const std::string& screen) {
  const std::vector<absl::string_view> lines = absl::StrSplit(screen, '\n', absl::SkipWhitespace());
  return lines.empty() ? "" : std::string(lines.back());
}

}  // namespace parley::testing
