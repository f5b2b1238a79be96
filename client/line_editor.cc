#include "line_editor.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <utility>

#include <editline/readline.h>

#include "absl/strings/str_cat.h"

namespace parley::client {
namespace {

// The editor that libedit's line callback reports to.
LineEditor* active_editor = nullptr;

// Clears the terminal line the cursor is on and moves to its start.
constexpr char kClearLine[] = "\r\x1b[2K";

// Counts the UTF-8 code points of `text`, an estimate of its width in
// columns that is exact for text without wide or combining characters.
size_t CountCodePoints(const std::string& text) {
  size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++count;
  }
  return count;
}

int TerminalColumns() {
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return 80;
  return size.ws_col;
}

}  // namespace

LineEditor::LineEditor(const std::string& prompt) {
  if (active_editor != nullptr) throw std::logic_error("only one LineEditor may exist at a time");
  active_editor = this;
  // SignalWatcher handles SIGINT and SIGTERM, and the chat reads SIGWINCH
  // from a signalfd, so libedit must not install handlers of its own.
  rl_catch_signals = 0;
  Install(prompt);
}

LineEditor::~LineEditor() {
  if (installed_) {
    rl_callback_handler_remove();
    std::fputs("\n", stdout);
    std::fflush(stdout);
  }
  active_editor = nullptr;
}

std::optional<LineEditor::Input> LineEditor::ReadAvailableInput() {
  if (!installed_) return std::nullopt;
  rl_callback_read_char();
  if (!entered_) return std::nullopt;

  // libedit keeps the accepted line in its buffer until the handler is
  // installed again, so the editor starts over with Resume().
  rl_callback_handler_remove();
  installed_ = false;
  if (entered_->has_value()) EraseEnteredLine(**entered_);
  return std::exchange(entered_, std::nullopt);
}

void LineEditor::Resume(const std::string& prompt) {
  if (!installed_) Install(prompt);
}

void LineEditor::PrintAbove(const std::string& line) {
  if (!installed_) {
    std::fputs(absl::StrCat(line, "\n").c_str(), stdout);
    std::fflush(stdout);
    return;
  }
  std::fputs(absl::StrCat(kClearLine, line, "\n").c_str(), stdout);
  std::fflush(stdout);
  // Draws the prompt and the text typed so far on the new line, with the
  // cursor where it was in the text.
  rl_forced_update_display();
}

void LineEditor::Resize() {
  rl_resize_terminal();
  if (installed_) rl_forced_update_display();
}

void LineEditor::OnLine(char* line) {
  if (active_editor == nullptr) {
    std::free(line);
    return;
  }
  if (line == nullptr) {
    active_editor->entered_ = Input(std::nullopt);
    return;
  }
  if (line[0] != '\0') add_history(line);
  active_editor->entered_ = Input(std::string(line));
  std::free(line);
}

void LineEditor::Install(const std::string& prompt) {
  prompt_ = prompt;
  rl_callback_handler_install(prompt_.c_str(), &LineEditor::OnLine);
  installed_ = true;
}

void LineEditor::EraseEnteredLine(const std::string& line) const {
  // After Enter the cursor is at the start of the line below the input,
  // which took this many rows.
  const size_t columns = static_cast<size_t>(TerminalColumns());
  const size_t width = CountCodePoints(prompt_) + CountCodePoints(line);
  const size_t rows = width / columns + 1;
  std::fputs(absl::StrCat("\x1b[", rows, "A\r\x1b[J").c_str(), stdout);
  std::fflush(stdout);
}

}  // namespace parley::client
