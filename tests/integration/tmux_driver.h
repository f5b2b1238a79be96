#ifndef PARLEY_TESTS_INTEGRATION_TMUX_DRIVER_H_
#define PARLEY_TESTS_INTEGRATION_TMUX_DRIVER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace parley::testing {

// A private tmux server, on its own socket name, that runs programs in
// pseudo-terminals so that a test can type into them and read the screen.
// The destructor kills the server and everything it runs.
class TmuxDriver {
 public:
  // Keeps the tmux command logs in `directory`.
  explicit TmuxDriver(std::string directory);
  ~TmuxDriver();

  TmuxDriver(const TmuxDriver&) = delete;
  TmuxDriver& operator=(const TmuxDriver&) = delete;

  // Starts `argv` in a new detached session `session`, in a window of
  // 160x40 cells. The pane stays on screen after the program exits.
  void NewSession(const std::string& session, const std::vector<std::string>& argv);

  // Types `text` literally, without pressing Enter.
  void Type(const std::string& session, const std::string& text);
  // Presses keys by tmux name, such as "Enter", "C-c" or "C-d".
  void Press(const std::string& session, const std::string& key);

  // Returns the visible text of the session's pane, one line per row,
  // without colours and with trailing blank rows removed.
  std::string Capture(const std::string& session);

  // Captures the pane until `predicate` returns true or `timeout` passes.
  // Returns the last result of `predicate`; `screen` receives the last
  // capture.
  bool WaitFor(const std::string& session, const std::function<bool(const std::string&)>& predicate,
               absl::Duration timeout, std::string* screen = nullptr);
  // Waits until the pane shows `text`.
  bool WaitForText(const std::string& session, const std::string& text, absl::Duration timeout,
                   std::string* screen = nullptr);

 private:
  // Runs tmux with `arguments` and returns its standard output. Throws
  // std::runtime_error when tmux exits with an error.
  std::string Run(const std::vector<std::string>& arguments);

  const std::string directory_;
  const std::string socket_name_;
  int commands_run_ = 0;
};

// Returns the last non-empty line of a captured screen.
std::string LastLine(const std::string& screen);

}  // namespace parley::testing

#endif  // PARLEY_TESTS_INTEGRATION_TMUX_DRIVER_H_
