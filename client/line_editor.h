#ifndef PARLEY_CLIENT_LINE_EDITOR_H_
#define PARLEY_CLIENT_LINE_EDITOR_H_

#include <optional>
#include <string>

namespace parley::client {

// The input line of the terminal chat, edited with libedit (Emacs keys,
// history on the Up and Down keys). Output printed through PrintAbove
// appears above the input line, and the prompt and the text typed so far
// are drawn again below it.
//
// libedit's readline interface keeps global state, so at most one
// LineEditor may exist at a time, and only its thread may use it or write
// to the terminal. Reads stdin and writes stdout, which must both be
// terminals.
class LineEditor {
 public:
  // A line the user entered, or nullopt at end of input (Ctrl-D on an empty
  // line).
  using Input = std::optional<std::string>;

  // Puts the terminal into editing mode and shows `prompt`.
  explicit LineEditor(const std::string& prompt);
  // Restores the terminal and ends the output on a new line.
  ~LineEditor();

  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // Reads the input that is available on stdin; call it when stdin is
  // readable. Returns the entered line, or end of input, once there is one.
  // The editor then waits with the prompt hidden until Resume(), so that
  // output of the line's command appears in order.
  std::optional<Input> ReadAvailableInput();

  // Shows the prompt, which may have changed, and an empty input line.
  void Resume(const std::string& prompt);

  // Prints `line` and a newline above the input line.
  void PrintAbove(const std::string& line);

  // Reads the terminal size again after the window was resized, and draws
  // the input line for the new width.
  void Resize();

 private:
  static void OnLine(char* line);
  void Install(const std::string& prompt);
  // Removes the entered line that libedit left on the screen; the chat
  // shows the message when broadcaster delivers it.
  void EraseEnteredLine(const std::string& line) const;

  std::string prompt_;
  bool installed_ = false;
  // Set by OnLine during ReadAvailableInput.
  std::optional<Input> entered_;
};

}  // namespace parley::client

#endif  // PARLEY_CLIENT_LINE_EDITOR_H_
