#include "sequencer.h"

#include "google/protobuf/util/time_util.h"

namespace parley::processor {

v1::ChatMessage Sequencer::Commit(const internal::v1::Submission& submission,
                                  const std::string& message_id, absl::Time now) {
  v1::ChatMessage message;
  message.set_room(submission.room());
  message.set_sequence(++last_[submission.room()]);
  message.set_sender(submission.sender());
  message.set_text(submission.text());
  message.set_message_id(message_id);
  *message.mutable_commit_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
  return message;
}

void Sequencer::Seed(const std::string& room, uint64_t last_sequence) {
  uint64_t& last = last_[room];
  if (last_sequence > last) last = last_sequence;
}

uint64_t Sequencer::Last(const std::string& room) const {
  auto it = last_.find(room);
  return it == last_.end() ? 0 : it->second;
}

}  // namespace parley::processor
