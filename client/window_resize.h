#ifndef PARLEY_CLIENT_WINDOW_RESIZE_H_
#define PARLEY_CLIENT_WINDOW_RESIZE_H_

namespace parley::client {

// Blocks SIGWINCH in the calling thread. Call it at the start of main,
// before any other thread exists, so that the signal reaches the process
// only through WindowResizeSignal. SIGWINCH is ignored by default, so
// blocking it changes nothing for a process that does not read it.
void BlockWindowResizeSignal();

// A pollable file descriptor (signalfd) that becomes readable when the
// terminal window was resized. Requires BlockWindowResizeSignal() first.
class WindowResizeSignal {
 public:
  // Throws std::system_error when the signalfd cannot be created.
  WindowResizeSignal();
  ~WindowResizeSignal();

  WindowResizeSignal(const WindowResizeSignal&) = delete;
  WindowResizeSignal& operator=(const WindowResizeSignal&) = delete;

  int fd() const { return fd_; }

  // Reads the pending signals, so that fd() is not readable until the
  // next resize.
  void Consume();

 private:
  int fd_ = -1;
};

}  // namespace parley::client

#endif  // PARLEY_CLIENT_WINDOW_RESIZE_H_
