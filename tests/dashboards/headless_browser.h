#ifndef PARLEY_TESTS_DASHBOARDS_HEADLESS_BROWSER_H_
#define PARLEY_TESTS_DASHBOARDS_HEADLESS_BROWSER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace parley::testing {

// Debian's `chromium` in headless mode, one process per page. It runs with
// --no-sandbox, because the tests run as root in a container and Chromium
// rejects root with its sandbox on. The pages it opens are the test's own,
// served by a Prometheus on loopback.
class HeadlessBrowser {
 public:
  // Keeps the browser profile and output files under `directory`. The
  // binary is $PARLEY_CHROMIUM, or chromium on the PATH.
  explicit HeadlessBrowser(std::string directory);

  // Loads `url` in a `width` x `height` window, lets the page run its
  // scripts and network requests for up to `budget` of virtual time, and
  // returns the DOM serialized as HTML.
  absl::StatusOr<std::string> DumpDom(const std::string& url, int width, int height,
                                      absl::Duration budget);

  // Same as DumpDom, but writes a PNG screenshot of the window to `path`.
  absl::Status Screenshot(const std::string& url, int width, int height, absl::Duration budget,
                          const std::string& path);

 private:
  // Runs Chromium with `mode_flags` on `url`, its stdout going to
  // `stdout_path`; returns the error with Chromium's log on failure.
  absl::Status Run(const std::string& url, int width, int height, absl::Duration budget,
                   const std::vector<std::string>& mode_flags, const std::string& stdout_path);

  std::string directory_;
  std::string binary_;
  int runs_ = 0;
};

}  // namespace parley::testing

#endif  // PARLEY_TESTS_DASHBOARDS_HEADLESS_BROWSER_H_
