#ifndef PARLEY_TESTS_BENCH_PROC_STATUS_H_
#define PARLEY_TESTS_BENCH_PROC_STATUS_H_

#include <sys/types.h>

#include <cstdint>
#include <fstream>
#include <string>

namespace parley::bench {

// Returns the resident set size of `pid` in bytes, read from the VmRSS line
// of /proc/<pid>/status, or 0 when the process is gone.
inline uint64_t ResidentBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      uint64_t kibibytes = 0;
      status >> kibibytes;
      return kibibytes * 1024;
    }
    status.ignore(4096, '\n');
  }
  return 0;
}

}  // namespace parley::bench

#endif  // PARLEY_TESTS_BENCH_PROC_STATUS_H_
