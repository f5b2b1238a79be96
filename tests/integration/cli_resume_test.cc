// Runs `parley subscribe` and piped `parley chat` as child processes
// against the real services, and restarts broadcaster under them.

#include <csignal>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "chat_client.h"
#include "child_process.h"
#include "gtest/gtest.h"
#include "service_stack.h"

namespace parley::testing {
namespace {

constexpr absl::Duration kTimeout = absl::Seconds(30);
// Time between two reads of a log while waiting for a line.
constexpr absl::Duration kPollInterval = absl::Milliseconds(20);

// Waits until the log of `process` contains `text`, polling with a deadline.
bool WaitForLog(const ChildProcess& process, const std::string& text) {
  const absl::Time deadline = absl::Now() + kTimeout;
  while (!absl::StrContains(process.Log(), text)) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(kPollInterval);
  }
  return true;
}

// Returns the lines of `log` that contain `text`.
std::vector<std::string> LinesWith(const std::string& log, const std::string& text) {
  std::vector<std::string> lines;
  for (const absl::string_view line : absl::StrSplit(log, '\n')) {
    if (absl::StrContains(line, text)) lines.emplace_back(line);
  }
  return lines;
}

class CliResumeTest : public ::testing::Test {
 protected:
  explicit CliResumeTest(std::map<std::string, std::string> extra_yaml = {})
      : stack_(std::move(extra_yaml)) {}

  void SetUp() override { stack_.StartAll(); }

  std::unique_ptr<ChildProcess> StartParley(const std::vector<std::string>& arguments,
                                            const std::string& log_name) {
    std::vector<std::string> argv = {BinaryDirectory() + "/parley", "--intake",
                                     stack_.intake_address(), "--broadcaster",
                                     stack_.broadcaster_address()};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{},
                                          absl::StrCat(stack_.directory(), "/", log_name));
  }

  void Send(const std::string& text, const std::string& id) {
    IntakeClient intake(stack_.intake_address());
    const auto response =
        intake.SendWithRetries("lobby", "carol", text, id, absl::Now() + kTimeout);
    ASSERT_TRUE(response.ok()) << response.status();
  }

  void RestartBroadcaster() {
    ASSERT_EQ(stack_.Terminate("broadcaster", kTimeout), 0) << stack_.Logs("broadcaster");
    stack_.Start("broadcaster");
  }

  ServiceStack stack_;
};

TEST_F(CliResumeTest, SubscribeJsonResumesAfterRestart) {
  Send("before", "note-1");
  const auto subscribe =
      StartParley({"subscribe", "--room", "lobby", "--from-seq", "1", "--json"}, "subscribe.log");
  ASSERT_TRUE(WaitForLog(*subscribe, R"("sequence":1,"sender":"carol","text":"before")"))
      << subscribe->Log();

  ASSERT_EQ(stack_.Terminate("broadcaster", kTimeout), 0) << stack_.Logs("broadcaster");
  ASSERT_TRUE(WaitForLog(*subscribe, R"({"type":"disconnected","code":"UNAVAILABLE","error":)"))
      << subscribe->Log();
  stack_.Start("broadcaster");
  Send("after", "note-2");

  ASSERT_TRUE(WaitForLog(*subscribe, R"("sequence":2,"sender":"carol","text":"after")"))
      << subscribe->Log();
  const std::string log = subscribe->Log();
  const std::vector<std::string> reconnects = LinesWith(log, R"("type":"reconnected")");
  ASSERT_EQ(reconnects.size(), 1u) << log;
  EXPECT_TRUE(absl::StrContains(reconnects[0], R"("resume_from":{"lobby":2}})")) << log;
  EXPECT_LT(log.find(R"("type":"reconnected")"), log.find(R"("text":"after")")) << log;
  EXPECT_EQ(LinesWith(log, R"("text":"before")").size(), 1u) << log;

  subscribe->Signal(SIGTERM);
  const std::optional<int> status = subscribe->Wait(kTimeout);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(ExitCodeOf(*status), 0) << subscribe->Log();
}

TEST_F(CliResumeTest, SubscribeWithoutResumeExitsOnRestart) {
  Send("before", "note-1");
  const auto subscribe = StartParley(
      {"subscribe", "--room", "lobby", "--from-seq", "1", "--no-resume"}, "subscribe.log");
  ASSERT_TRUE(WaitForLog(*subscribe, "carol: before")) << subscribe->Log();

  RestartBroadcaster();

  const std::optional<int> status = subscribe->Wait(kTimeout);
  ASSERT_TRUE(status.has_value()) << subscribe->Log();
  EXPECT_EQ(ExitCodeOf(*status), 1);
  EXPECT_TRUE(absl::StrContains(subscribe->Log(),
                                "error: UNAVAILABLE: broadcaster is shutting down; last "
                                "delivered: lobby#1"))
      << subscribe->Log();
}

// Broadcaster keeps only the last two messages of a room here, so a
// subscriber that requests older ones gets a gap.
class CliGapTest : public CliResumeTest {
 protected:
  CliGapTest() : CliResumeTest({{"broadcaster", "history:\n  max_messages_per_room: 2"}}) {}
};

TEST_F(CliGapTest, SubscribeSaysHowManyAreGone) {
  for (int i = 1; i <= 5; ++i) Send(absl::StrCat("message ", i), absl::StrCat("note-", i));

  const auto json = StartParley(
      {"subscribe", "--room", "lobby", "--from-seq", "1", "--json", "--count", "2"}, "json.log");
  const auto text =
      StartParley({"subscribe", "--room", "lobby", "--from-seq", "2", "--count", "2"}, "text.log");
  const std::optional<int> json_status = json->Wait(kTimeout);
  const std::optional<int> text_status = text->Wait(kTimeout);

  ASSERT_TRUE(json_status.has_value()) << json->Log();
  EXPECT_EQ(ExitCodeOf(*json_status), 0) << json->Log();
  EXPECT_TRUE(absl::StrContains(json->Log(), R"({"type":"gap","room":"lobby",)"
                                             R"("requested_sequence":1,)"
                                             R"("first_available_sequence":4,"missed":3})"))
      << json->Log();
  ASSERT_TRUE(text_status.has_value()) << text->Log();
  EXPECT_EQ(ExitCodeOf(*text_status), 0) << text->Log();
  EXPECT_TRUE(absl::StrContains(text->Log(),
                                "[lobby] gap: 2 messages are gone (sequences 2..3 are no longer "
                                "in history); continuing at 4"))
      << text->Log();
  EXPECT_TRUE(absl::StrContains(text->Log(), "[lobby #5] carol: message 5")) << text->Log();
}

TEST_F(CliResumeTest, PipedChatSendsEachLine) {
  const std::string input = absl::StrCat(stack_.directory(), "/chat-input.txt");
  std::ofstream(input) << "hello from a script\n/me waves\n/join other\n";

  // ChildProcess gives the program /dev/null as stdin, so a shell
  // redirects the file.
  std::vector<std::string> argv = {"/bin/sh", "-c", absl::StrCat("exec \"$0\" \"$@\" < ", input),
                                   BinaryDirectory() + "/parley", "chat", "--intake",
                                   stack_.intake_address(), "--broadcaster",
                                   stack_.broadcaster_address(), "--room", "lobby", "--sender",
                                   "scripted"};
  ChildProcess chat(argv, {}, absl::StrCat(stack_.directory(), "/chat.log"));

  const std::optional<int> status = chat.Wait(kTimeout);
  ASSERT_TRUE(status.has_value()) << chat.Log();
  EXPECT_EQ(ExitCodeOf(*status), 0) << chat.Log();
  const std::string log = chat.Log();
  EXPECT_TRUE(absl::StrContains(log, "[lobby #1] scripted: hello from a script")) << log;
  EXPECT_TRUE(absl::StrContains(log, "[lobby #2] * scripted waves")) << log;
  // A pipe gets no commands: "/join other" is a message like any other.
  EXPECT_TRUE(absl::StrContains(log, "[lobby #3] scripted: /join other")) << log;
}

}  // namespace
}  // namespace parley::testing
