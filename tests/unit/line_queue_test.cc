#include "line_queue.h"

#include <poll.h>

#include <deque>
#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace parley::client {
namespace {

// Returns whether `fd` is readable within `timeout_ms`.
bool Readable(int fd, int timeout_ms) {
  pollfd poll_fd{fd, POLLIN, 0};
  return poll(&poll_fd, 1, timeout_ms) == 1;
}

TEST(LineQueue, EmptyQueueIsNotReadable) {
  LineQueue queue;
  EXPECT_FALSE(Readable(queue.wake_fd(), 0));
  EXPECT_TRUE(queue.TakeAll().empty());
}

TEST(LineQueue, PushFromOtherThreadWakesOwner) {
  LineQueue queue;
  std::thread producer([&queue] {
    queue.Push("first");
    queue.Push("second");
  });
  producer.join();

  ASSERT_TRUE(Readable(queue.wake_fd(), 10000));
  EXPECT_EQ(queue.TakeAll(), (std::deque<std::string>{"first", "second"}));
  // TakeAll empties the pipe, so the owner sleeps until the next line.
  EXPECT_FALSE(Readable(queue.wake_fd(), 0));
}

TEST(LineQueue, WakeWithoutLine) {
  LineQueue queue;
  queue.Wake();
  ASSERT_TRUE(Readable(queue.wake_fd(), 10000));
  EXPECT_TRUE(queue.TakeAll().empty());
  EXPECT_FALSE(Readable(queue.wake_fd(), 0));
}

TEST(LineQueue, ManyWakesStayReadableUntilTaken) {
  LineQueue queue;
  // More wake-ups than a pipe buffer holds: writes beyond it fail and are
  // not needed, because the pipe is already readable.
  for (int i = 0; i < 100000; ++i) queue.Wake();
  queue.Push("last");
  ASSERT_TRUE(Readable(queue.wake_fd(), 0));
  EXPECT_EQ(queue.TakeAll(), std::deque<std::string>{"last"});
  EXPECT_FALSE(Readable(queue.wake_fd(), 0));
}

}  // namespace
}  // namespace parley::client
