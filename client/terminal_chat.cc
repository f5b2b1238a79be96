#include "terminal_chat.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "channel.h"
#include "chat_line.h"
#include "chat_send.h"
#include "event_format.h"
#include "line_editor.h"
#include "line_queue.h"
#include "resuming_subscription.h"
#include "room_queries.h"
#include "rpc_status.h"
#include "window_resize.h"

namespace parley::client {
namespace {

// Formats the notice for a subscription that ended without /leave.
std::string FormatSubscriptionEnd(const std::string& room, const grpc::Status& status,
                                  TextStyle style) {
  const std::string reason =
      status.ok() ? "the broadcaster ended the subscription"
                  : absl::StrCat(StatusCodeName(status.error_code()), ": ",
                                 EscapeForTerminal(status.error_message()));
  return Paint(absl::StrCat("-- stopped following #", EscapeForTerminal(room), ": ", reason,
                            "; /join ", EscapeForTerminal(room), " to follow it again"),
               kNoticeColour, style);
}

// The state of one terminal chat session. Every method runs on the thread
// that owns the terminal, except the subscription callbacks, which only
// push lines to `output_`.
class TerminalChat {
 public:
  TerminalChat(const GlobalOptions& global, const ChatOptions& options,
               const std::stop_token& stop_token)
      : options_(options),
        stop_token_(stop_token),
        style_{.colour = ColourSupported(STDOUT_FILENO)},
        broadcaster_channel_(CreateClientChannel(global.broadcaster_address)),
        broadcaster_(parley::v1::Broadcaster::NewStub(broadcaster_channel_)),
        intake_(parley::v1::Intake::NewStub(CreateClientChannel(global.intake_address))),
        broadcaster_address_(global.broadcaster_address) {}

  int Run();

 private:
  // Subscribes to the first room and waits up to --timeout-ms for the
  // stream to open. Returns false if it did not, after printing why unless
  // a stop was requested.
  bool JoinFirstRoom();
  // Returns false when the input failed.
  bool RunInputLoop(LineEditor& editor);
  void PrintQueuedLines(LineEditor& editor);
  // Handles one entered line; returns false when the chat should end.
  bool HandleLine(const ChatLine& line, LineEditor& editor);
  void Join(const std::string& room, LineEditor& editor);
  void Leave(const std::string& room, LineEditor& editor);
  void Send(const std::string& text, LineEditor& editor);
  // Returns whether a room is current. If none is, prints a hint to join one.
  bool RequireRoom(LineEditor& editor) const;
  void PrintNotice(const std::string& text, LineEditor& editor) const;
  void PrintLines(const std::vector<std::string>& lines, LineEditor& editor) const;
  void Subscribe(const std::string& room);
  std::string Prompt() const;

  const ChatOptions& options_;
  const std::stop_token stop_token_;
  const TextStyle style_;
  const std::shared_ptr<grpc::Channel> broadcaster_channel_;
  const std::unique_ptr<parley::v1::Broadcaster::Stub> broadcaster_;
  const std::unique_ptr<parley::v1::Intake::Stub> intake_;
  const std::string broadcaster_address_;
  LineQueue output_;
  WindowResizeSignal resize_;
  std::map<std::string, std::unique_ptr<ResumingSubscription>> rooms_;
  // Room that text is sent to; empty after leaving every room.
  std::string current_room_;
};

int TerminalChat::Run() {
  std::stop_callback wake_on_stop(stop_token_, [this] { output_.Wake(); });
  if (!JoinFirstRoom()) return stop_token_.stop_requested() ? 0 : 1;

  bool input_ok = true;
  {
    LineEditor editor(Prompt());
    PrintNotice(absl::StrCat("-- chatting in #", EscapeForTerminal(current_room_), " as ",
                             EscapeForTerminal(options_.sender), "; /help lists the commands"),
                editor);
    input_ok = RunInputLoop(editor);
  }
  // The subscriptions end before the queue they write to.
  rooms_.clear();
  return input_ok ? 0 : 1;
}

bool TerminalChat::JoinFirstRoom() {
  Subscribe(options_.room);
  current_room_ = options_.room;
  ResumingSubscription& first = *rooms_.at(options_.room);
  if (first.WaitUntilSubscribed(absl::Now() + absl::Milliseconds(options_.timeout_ms))) {
    return true;
  }
  first.Stop();
  if (stop_token_.stop_requested()) return false;
  if (first.ended() && !first.cancelled()) {
    PrintStatusError(first.status());
    return false;
  }
  PrintStatusError(grpc::Status(
      grpc::StatusCode::DEADLINE_EXCEEDED,
      absl::StrCat("no connection to the broadcaster at ", broadcaster_address_, " within ",
                   options_.timeout_ms, " ms")));
  return false;
}

bool TerminalChat::RunInputLoop(LineEditor& editor) {
  while (!stop_token_.stop_requested()) {
    pollfd fds[3] = {{STDIN_FILENO, POLLIN, 0},
                     {output_.wake_fd(), POLLIN, 0},
                     {resize_.fd(), POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      PrintNotice(absl::StrCat("error: waiting for input failed: ", std::strerror(errno)), editor);
      return false;
    }
    if (fds[2].revents != 0) {
      resize_.Consume();
      editor.Resize();
    }
    PrintQueuedLines(editor);
    const short input_events = fds[0].revents;
    if (input_events == 0 || stop_token_.stop_requested()) continue;
    if ((input_events & POLLIN) == 0) {
      // POLLHUP alone means the terminal hung up, which ends the chat like
      // Ctrl-D. POLLERR or POLLNVAL means that stdin failed.
      return (input_events & (POLLERR | POLLNVAL)) == 0;
    }

    const std::optional<LineEditor::Input> input = editor.ReadAvailableInput();
    if (!input) continue;
    // End of input (Ctrl-D) and /quit end the chat the same way.
    if (!input->has_value() || !HandleLine(ParseChatLine(**input), editor)) return true;
    editor.Resume(Prompt());
  }
  return true;
}

void TerminalChat::PrintQueuedLines(LineEditor& editor) {
  for (const std::string& line : output_.TakeAll()) editor.PrintAbove(line);
}

bool TerminalChat::HandleLine(const ChatLine& line, LineEditor& editor) {
  if (std::holds_alternative<chat_line::Quit>(line)) return false;
  if (const auto* send = std::get_if<chat_line::Send>(&line)) {
    Send(send->text, editor);
  } else if (const auto* join = std::get_if<chat_line::Join>(&line)) {
    Join(join->room, editor);
  } else if (const auto* leave = std::get_if<chat_line::Leave>(&line)) {
    Leave(leave->room.empty() ? current_room_ : leave->room, editor);
  } else if (std::holds_alternative<chat_line::Who>(line)) {
    if (!RequireRoom(editor)) return true;
    PrintLines(QueryMembers(*broadcaster_, current_room_, options_.timeout_ms, style_), editor);
  } else if (const auto* history = std::get_if<chat_line::History>(&line)) {
    if (!RequireRoom(editor)) return true;
    PrintLines(QueryHistory(*broadcaster_, current_room_, history->count, options_.timeout_ms,
                            style_),
               editor);
  } else if (std::holds_alternative<chat_line::Help>(line)) {
    for (const absl::string_view help : absl::StrSplit(ChatCommandHelp(), '\n')) {
      PrintNotice(std::string(help), editor);
    }
  } else if (const auto* invalid = std::get_if<chat_line::Invalid>(&line)) {
    PrintNotice(absl::StrCat("-- ", invalid->error), editor);
  }
  return true;
}

void TerminalChat::Join(const std::string& room, LineEditor& editor) {
  const auto existing = rooms_.find(room);
  if (existing == rooms_.end() || existing->second->ended()) Subscribe(room);
  current_room_ = room;
  PrintNotice(absl::StrCat("-- now sending to #", EscapeForTerminal(room)), editor);
}

void TerminalChat::Leave(const std::string& room, LineEditor& editor) {
  if (room.empty()) {
    RequireRoom(editor);
    return;
  }
  const auto subscription = rooms_.find(room);
  if (subscription == rooms_.end()) {
    PrintNotice(absl::StrCat("-- not in #", EscapeForTerminal(room)), editor);
    return;
  }
  rooms_.erase(subscription);
  std::string notice = absl::StrCat("-- left #", EscapeForTerminal(room));
  if (room == current_room_) {
    current_room_ = rooms_.empty() ? "" : rooms_.begin()->first;
    absl::StrAppend(&notice, current_room_.empty()
                                 ? "; /join ROOM to chat again"
                                 : absl::StrCat("; now sending to #", EscapeForTerminal(current_room_)));
  }
  PrintNotice(notice, editor);
}

void TerminalChat::Send(const std::string& text, LineEditor& editor) {
  if (!RequireRoom(editor)) return;
  // The message appears when broadcaster delivers it, with its sequence.
  parley::v1::SendResponse response;
  const grpc::Status status = SendChatLine(*intake_, current_room_, options_.sender, text,
                                           options_.timeout_ms, stop_token_, response);
  if (status.ok() || stop_token_.stop_requested()) return;
  PrintNotice(absl::StrCat("-- not sent: ", StatusCodeName(status.error_code()), ": ",
                           EscapeForTerminal(status.error_message())),
              editor);
}

bool TerminalChat::RequireRoom(LineEditor& editor) const {
  if (!current_room_.empty()) return true;
  PrintNotice("-- join a room first: /join ROOM", editor);
  return false;
}

void TerminalChat::PrintNotice(const std::string& text, LineEditor& editor) const {
  editor.PrintAbove(Paint(text, kNoticeColour, style_));
}

void TerminalChat::PrintLines(const std::vector<std::string>& lines, LineEditor& editor) const {
  for (const std::string& line : lines) editor.PrintAbove(line);
}

void TerminalChat::Subscribe(const std::string& room) {
  auto subscription = std::make_unique<ResumingSubscription>(
      broadcaster_channel_,
      SubscriptionOptions{.rooms = {room}, .sender = options_.sender,
                          .wait_for_first_connection = true},
      [this](const SubscriptionUpdate& update) {
        if (std::optional<std::string> line = FormatUpdate(update, EventFormat::kText, style_)) {
          output_.Push(std::move(*line));
        }
        return true;
      },
      [this, room](const grpc::Status& status, bool cancelled) {
        if (!cancelled) output_.Push(FormatSubscriptionEnd(room, status, style_));
      });
  subscription->Start();
  rooms_[room] = std::move(subscription);
}

std::string TerminalChat::Prompt() const {
  const std::string room = current_room_.empty() ? "no room" : "#" + EscapeForTerminal(current_room_);
  return absl::StrCat("[", room, "] ", EscapeForTerminal(options_.sender), "> ");
}

}  // namespace

int RunTerminalChat(const GlobalOptions& global, const ChatOptions& options,
                    const std::stop_token& stop_token) {
  return TerminalChat(global, options, stop_token).Run();
}

}  // namespace parley::client
