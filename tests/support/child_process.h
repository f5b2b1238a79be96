#ifndef PARLEY_TESTS_SUPPORT_CHILD_PROCESS_H_
#define PARLEY_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace parley::testing {

// A program started by a test, with stdout and stderr in a log file. The
// destructor kills it with SIGKILL if it still runs, so that no test leaves
// a process behind.
class ChildProcess {
 public:
  // Starts `argv[0]` with `argv` and the test's environment plus `env`.
  ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env,
               std::string log_path);
  ~ChildProcess();

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

  void Signal(int signal);

  // Waits for the process to exit; returns its exit status as reported by
  // waitpid, or nullopt at `timeout`.
  std::optional<int> Wait(absl::Duration timeout);

  // Returns the log written so far.
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  int pid_fd_ = -1;
  std::optional<int> status_;
  std::string log_path_;
};

// Returns a fresh directory for one test's files.
std::string MakeTempDirectory(const std::string& prefix);

// Returns the exit code of a normal exit, or -signal for a killed process.
int ExitCodeOf(int wait_status);

}  // namespace parley::testing

#endif  // PARLEY_TESTS_SUPPORT_CHILD_PROCESS_H_
