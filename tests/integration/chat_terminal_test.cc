// Drives `parley chat` through pseudo-terminals: two users in tmux chat
// against the real services, and broadcaster restarts under them.

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "child_process.h"
#include "gtest/gtest.h"
#include "service_stack.h"
#include "tmux_driver.h"

namespace parley::testing {
namespace {

// Generous for a loaded two-core machine, and far below the test timeout.
constexpr absl::Duration kScreenTimeout = absl::Seconds(30);

// Runs parley, then reports its exit status and whether the terminal was
// left in canonical mode with echo on, as a shell expects it. The trap
// keeps the shell alive when Ctrl-C sends SIGINT to the foreground process
// group, and exec restores the default action for parley. The last line
// marks the end of the script on the screen.
constexpr char kWrapperScript[] =
    "trap : INT; \"$0\" \"$@\"; echo \"parley exited with $?\"; "
    "stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | tr '\\n' ' '; echo; "
    "echo \"wrapper done\"";
constexpr char kWrapperDone[] = "wrapper done";

class ChatTerminalTest : public ::testing::Test {
 protected:
  ChatTerminalTest() : tmux_(stack_.directory()) {}

  void SetUp() override { stack_.StartAll(); }

  // Starts `parley chat` as `sender` in room lobby, in a tmux session of
  // the same name, and waits for its greeting.
  void StartChat(const std::string& sender) {
    tmux_.NewSession(sender, {"/bin/sh", "-c", kWrapperScript, BinaryDirectory() + "/parley",
                              "chat", "--intake", stack_.intake_address(), "--broadcaster",
                              stack_.broadcaster_address(), "--room", "lobby", "--sender",
                              sender});
    ExpectScreen(sender, absl::StrCat("-- chatting in #lobby as ", sender));
  }

  // Waits until the pane of `session` shows `text`, and fails with the
  // screen and the service logs if it does not.
  void ExpectScreen(const std::string& session, const std::string& text) {
    std::string screen;
    EXPECT_TRUE(tmux_.WaitForText(session, text, kScreenTimeout, &screen))
        << "no \"" << text << "\" on " << session << "'s screen:\n" << screen << "\n"
        << stack_.Logs("broadcaster");
  }

  void Say(const std::string& session, const std::string& text) {
    tmux_.Type(session, text);
    tmux_.Press(session, "Enter");
  }

  // Waits until the wrapper script in `session` has printed its last line,
  // after parley exited, and returns the screen. The screen is the signal,
  // not tmux's pane_dead: tmux 3.3a sometimes leaves the exited shell
  // unreaped, and the pane then never reads as dead.
  std::string WaitForExit(const std::string& session) {
    std::string screen;
    const bool exited = tmux_.WaitForText(session, kWrapperDone, kScreenTimeout, &screen);
    EXPECT_TRUE(exited) << session << " did not exit:\n" << screen;
    return screen;
  }

  ServiceStack stack_;
  TmuxDriver tmux_;
};

TEST_F(ChatTerminalTest, UsersChatAndSeeEachOther) {
  StartChat("alice");
  StartChat("bob");
  ExpectScreen("alice", "-- bob joined #lobby");

  Say("alice", "hello from alice");
  ExpectScreen("bob", "alice: hello from alice");
  ExpectScreen("alice", "alice: hello from alice");

  Say("bob", "/me waves");
  ExpectScreen("alice", "* bob waves");

  Say("alice", "/who");
  ExpectScreen("alice", "-- 2 in #lobby: alice (since ");
  ExpectScreen("alice", "bob (since ");

  Say("bob", "/history 5");
  ExpectScreen("bob", "-- history of #lobby: 2 of the last 5 messages");
  ExpectScreen("bob", "-- end of history");

  Say("bob", "/frobnicate");
  ExpectScreen("bob", "-- unknown command /frobnicate; /help lists the commands");

  Say("bob", "/quit");
  EXPECT_NE(WaitForExit("bob").find("parley exited with 0\nicanon echo"), std::string::npos)
      << tmux_.Capture("bob");
  ExpectScreen("alice", "-- bob left #lobby");
}

TEST_F(ChatTerminalTest, JoinAndLeaveSwitchRooms) {
  StartChat("alice");
  StartChat("bob");

  Say("alice", "/join dev");
  ExpectScreen("alice", "-- now sending to #dev");
  ExpectScreen("alice", "[#dev] alice>");
  Say("alice", "only in dev");
  ExpectScreen("alice", "[dev #1] alice: only in dev");

  Say("alice", "/leave");
  ExpectScreen("alice", "-- left #dev; now sending to #lobby");
  Say("alice", "back in lobby");
  ExpectScreen("bob", "[lobby #1] alice: back in lobby");
  // bob follows lobby only, so dev's message, sent earlier, never reached him.
  EXPECT_EQ(tmux_.Capture("bob").find("only in dev"), std::string::npos) << tmux_.Capture("bob");

  Say("alice", "/leave");
  ExpectScreen("alice", "-- left #lobby; /join ROOM to chat again");
  ExpectScreen("alice", "[no room] alice>");
  Say("alice", "into the void");
  ExpectScreen("alice", "-- join a room first: /join ROOM");
  ExpectScreen("bob", "-- alice left #lobby");
}

TEST_F(ChatTerminalTest, TypedTextSurvivesIncomingMessages) {
  StartChat("alice");
  StartChat("bob");

  tmux_.Type("bob", "half typed");
  ExpectScreen("bob", "[#lobby] bob> half typed");
  Say("alice", "interrupting you");
  ExpectScreen("bob", "alice: interrupting you");

  // The message is above the prompt, and the prompt still contains the text
  // bob typed, with the cursor after it.
  std::string screen = tmux_.Capture("bob");
  EXPECT_EQ(LastLine(screen), "[#lobby] bob> half typed") << screen;
  EXPECT_LT(screen.find("alice: interrupting you"), screen.find("bob> half typed")) << screen;

  // Non-ASCII text is edited by character, not by byte.
  tmux_.Type("bob", " and sent, caf\u00e9 \u65e5\u672c\u8a9eX");
  tmux_.Press("bob", "BSpace");
  tmux_.Press("bob", "Left");
  tmux_.Press("bob", "BSpace");
  tmux_.Press("bob", "Enter");
  ExpectScreen("alice", "bob: half typed and sent, caf\u00e9 \u65e5\u8a9e");
  ExpectScreen("bob", "bob: half typed and sent, caf\u00e9 \u65e5\u8a9e");
  // The entered line is replaced by the delivered message.
  screen = tmux_.Capture("bob");
  EXPECT_EQ(screen.find("bob> half typed and sent"), std::string::npos) << screen;
  EXPECT_EQ(LastLine(screen), "[#lobby] bob>") << screen;
}

TEST_F(ChatTerminalTest, ReconnectsAfterBroadcasterRestart) {
  StartChat("alice");
  StartChat("bob");
  Say("alice", "before the restart");
  ExpectScreen("bob", "alice: before the restart");

  ASSERT_EQ(stack_.Terminate("broadcaster", absl::Seconds(30)), 0) << stack_.Logs("broadcaster");
  ExpectScreen("bob", "-- lost the connection to the broadcaster (UNAVAILABLE");
  stack_.Start("broadcaster");

  // Both resume after "before the restart", sequence 1.
  ExpectScreen("bob", "-- reconnected to the broadcaster after");
  ExpectScreen("bob", "resuming lobby at #2");
  ExpectScreen("alice", "-- reconnected to the broadcaster after");
  Say("alice", "after the restart");
  ExpectScreen("bob", "[lobby #2] alice: after the restart");

  // Ctrl-C ends the chat at once and restores the terminal.
  tmux_.Press("bob", "C-c");
  EXPECT_NE(WaitForExit("bob").find("parley exited with 0\nicanon echo"), std::string::npos)
      << tmux_.Capture("bob");
  // Ctrl-D on an empty line ends it too.
  tmux_.Press("alice", "C-d");
  EXPECT_NE(WaitForExit("alice").find("parley exited with 0\nicanon echo"), std::string::npos)
      << tmux_.Capture("alice");
}

}  // namespace
}  // namespace parley::testing
