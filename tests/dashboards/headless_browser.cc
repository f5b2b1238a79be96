#include "headless_browser.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "child_process.h"

namespace parley::testing {
namespace {

// Generous, because two cores may be busy with the services, Prometheus
// and the traffic; a page normally takes a few seconds.
constexpr absl::Duration kBrowserTimeout = absl::Seconds(120);

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

HeadlessBrowser::HeadlessBrowser(std::string directory) : directory_(std::move(directory)) {
  const char* binary = std::getenv("PARLEY_CHROMIUM");
  binary_ = binary != nullptr && *binary != '\0' ? binary : "chromium";
}

absl::Status HeadlessBrowser::Run(const std::string& url, int width, int height,
                                  absl::Duration budget,
                                  const std::vector<std::string>& mode_flags,
                                  const std::string& stdout_path) {
  int run = ++runs_;
  std::string log_path = absl::StrCat(directory_, "/chromium.", run, ".log");

  // The shell sends stdout, where --dump-dom writes, to its own file, so
  // Chromium's log lines on stderr do not mix with the page.
  std::vector<std::string> argv = {
      "/bin/sh",
      "-c",
      "out=$1; shift; exec \"$@\" >\"$out\"",
      "sh",
      stdout_path,
      binary_,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--hide-scrollbars",
      absl::StrCat("--user-data-dir=", directory_, "/profile"),
      absl::StrCat("--window-size=", width, ",", height),
      absl::StrCat("--virtual-time-budget=", absl::ToInt64Milliseconds(budget)),
  };
  argv.insert(argv.end(), mode_flags.begin(), mode_flags.end());
  argv.push_back(url);

  ChildProcess browser(std::move(argv), {}, log_path);
  std::optional<int> status = browser.Wait(kBrowserTimeout);
  if (!status) {
    return absl::DeadlineExceededError(absl::StrCat(binary_, " did not finish ", url, " within ",
                                                    absl::FormatDuration(kBrowserTimeout),
                                                    "; its log:\n", browser.Log()));
  }
  if (int code = ExitCodeOf(*status); code != 0) {
    return absl::InternalError(absl::StrCat(binary_, " exited with ", code, " on ", url,
                                            "; its log:\n", browser.Log()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> HeadlessBrowser::DumpDom(const std::string& url, int width,
                                                     int height, absl::Duration budget) {
  std::string dom_path = absl::StrCat(directory_, "/dom.", runs_ + 1, ".html");
  absl::Status status = Run(url, width, height, budget, {"--dump-dom"}, dom_path);
  if (!status.ok()) return status;
  return ReadFile(dom_path);
}

absl::Status HeadlessBrowser::Screenshot(const std::string& url, int width, int height,
                                         absl::Duration budget, const std::string& path) {
  std::string stdout_path = absl::StrCat(directory_, "/screenshot.", runs_ + 1, ".out");
  absl::Status status =
      Run(url, width, height, budget, {absl::StrCat("--screenshot=", path)}, stdout_path);
  if (!status.ok()) return status;
  if (ReadFile(path).empty()) {
    return absl::InternalError(absl::StrCat(binary_, " wrote no screenshot to ", path));
  }
  return absl::OkStatus();
}

}  // namespace parley::testing
