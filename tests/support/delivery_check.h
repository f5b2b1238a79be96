#ifndef PARLEY_TESTS_SUPPORT_DELIVERY_CHECK_H_
#define PARLEY_TESTS_SUPPORT_DELIVERY_CHECK_H_

#include <map>
#include <string>
#include <vector>

#include "chat_client.h"
#include "gtest/gtest.h"
#include "parley/v1/chat.pb.h"

namespace parley::testing {

// A message whose Send returned OK.
struct Acknowledged {
  std::string room;
  uint64_t sequence = 0;
  std::string message_id;
};

// Checks what one subscriber of `room` received against the acknowledged
// messages: each exactly once, in increasing sequence order, and never two
// different messages under one sequence number.
inline void ExpectDelivered(const RecordingSubscriber& subscriber, const std::string& room,
                            const std::vector<Acknowledged>& acknowledged,
                            const std::string& who) {
  std::vector<v1::ChatMessage> received = subscriber.Messages(room);
  std::map<uint64_t, std::string> by_sequence;
  uint64_t previous = 0;
  for (const v1::ChatMessage& message : received) {
    EXPECT_GT(message.sequence(), previous) << who << " in " << room << ": out of order or twice";
    previous = message.sequence();
    auto [it, inserted] = by_sequence.emplace(message.sequence(), message.message_id());
    EXPECT_TRUE(inserted || it->second == message.message_id())
        << who << " in " << room << ": two messages with sequence " << message.sequence();
  }
  for (const Acknowledged& ack : acknowledged) {
    if (ack.room != room) continue;
    auto it = by_sequence.find(ack.sequence);
    ASSERT_NE(it, by_sequence.end())
        << who << " never received acknowledged " << ack.message_id << " (" << room << "#"
        << ack.sequence << ")";
    EXPECT_EQ(it->second, ack.message_id) << who << " in " << room << "#" << ack.sequence;
  }
}

}  // namespace parley::testing

#endif  // PARLEY_TESTS_SUPPORT_DELIVERY_CHECK_H_
