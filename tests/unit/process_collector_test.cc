#include "parley/runtime/process_collector.h"

#include <unistd.h>

#include <map>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace parley::runtime {
namespace {

// Returns the value of each family's single sample, by family name.
std::map<std::string, double> CollectValues() {
  std::map<std::string, double> values;
  for (const prometheus::MetricFamily& family : ProcessCollector().Collect()) {
    EXPECT_EQ(family.metric.size(), 1u) << family.name;
    if (family.metric.empty()) continue;
    values[family.name] = family.type == prometheus::MetricType::Counter
                              ? family.metric[0].counter.value
                              : family.metric[0].gauge.value;
  }
  return values;
}

TEST(ProcessCollector, ExportsEveryProcessFamily) {
  std::map<std::string, double> values = CollectValues();
  for (const char* name :
       {"process_cpu_seconds_total", "process_threads", "process_start_time_seconds",
        "process_virtual_memory_bytes", "process_resident_memory_bytes", "process_open_fds",
        "process_max_fds"}) {
    EXPECT_TRUE(values.contains(name)) << name;
  }
}

TEST(ProcessCollector, ValuesDescribeThisProcess) {
  std::thread extra([] {});  // at least two threads while collecting
  std::map<std::string, double> values = CollectValues();
  extra.join();

  EXPECT_GE(values["process_threads"], 2);
  EXPECT_GE(values["process_cpu_seconds_total"], 0);
  EXPECT_GT(values["process_resident_memory_bytes"], 0);
  EXPECT_GE(values["process_virtual_memory_bytes"], values["process_resident_memory_bytes"]);
  // stdin, stdout and stderr at least.
  EXPECT_GE(values["process_open_fds"], 3);
  EXPECT_GE(values["process_max_fds"], values["process_open_fds"]);

  // The process started less than an hour ago. The boot time in /proc/stat
  // has whole seconds, so the start time may be up to a second late.
  double now = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  EXPECT_LE(values["process_start_time_seconds"], now + 1);
  EXPECT_GT(values["process_start_time_seconds"], now - 3600);
}

TEST(ProcessCollector, OpenFdsCountsANewDescriptor) {
  double before = CollectValues()["process_open_fds"];
  int fd = dup(STDERR_FILENO);
  ASSERT_GE(fd, 0);
  double after = CollectValues()["process_open_fds"];
  close(fd);
  EXPECT_EQ(after, before + 1);
}

}  // namespace
}  // namespace parley::runtime
