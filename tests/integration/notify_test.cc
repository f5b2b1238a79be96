// The sd_notify protocol of each real binary, read from a datagram socket
// that the test binds and passes as NOTIFY_SOCKET.

#include <signal.h>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "service_stack.h"

namespace parley::testing {
namespace {

class SystemdNotify : public ::testing::TestWithParam<std::string> {};

TEST_P(SystemdNotify, ReadyThenStoppingOnSigterm) {
  const std::string name = GetParam();
  ServiceStack stack;
  if (name != "broadcaster") stack.Start("broadcaster");
  if (name == "intake") stack.Start("processor");
  ServiceProcess& service = stack.Start(name);  // waits for READY=1

  const std::vector<std::string>& messages = service.notify->messages();
  ASSERT_FALSE(messages.empty());
  EXPECT_TRUE(HasLine(messages.back(), "READY=1"));
  EXPECT_TRUE(absl::StrContains(messages.back(), "STATUS=serving gRPC on 127.0.0.1:"))
      << messages.back();

  service.process->Signal(SIGTERM);
  EXPECT_TRUE(service.notify->WaitForLine("STOPPING=1", absl::Seconds(10)).has_value());
  auto status = service.process->Wait(absl::Seconds(20));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(ExitCodeOf(*status), 0) << stack.Logs(name);
}

INSTANTIATE_TEST_SUITE_P(EachService, SystemdNotify,
                         ::testing::Values("intake", "processor", "broadcaster"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace parley::testing
