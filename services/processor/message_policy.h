#ifndef PARLEY_SERVICES_PROCESSOR_MESSAGE_POLICY_H_
#define PARLEY_SERVICES_PROCESSOR_MESSAGE_POLICY_H_

#include <string>

#include "absl/status/statusor.h"
#include "parley/chat/word_filter.h"
#include "parley/internal/v1/pipeline.pb.h"
#include "parley/v1/chat.pb.h"
#include "prometheus/counter.h"

namespace parley::processor {

// The action processor takes on a text that contains a word of its
// moderation list.
enum class ModerationAction {
  kOff,     // nothing: the list is not consulted
  kReject,  // the submission fails with INVALID_ARGUMENT naming `text`
  kMask,    // each letter of the word is replaced by '*'
};

struct ModerationOptions {
  ModerationAction action = ModerationAction::kOff;
  chat::WordFilter words;
};

// The parts of a submission that processor commits, after the policy.
struct PolicyResult {
  std::string sender;
  std::string text;
  v1::ChatMessage::Kind kind = v1::ChatMessage::KIND_TEXT;
};

// The content rules processor applies to every submission before commit:
// Unicode NFC for sender and text, "/me " actions, and the moderation list.
// Immutable apart from its counters, so thread-safe.
class MessagePolicy {
 public:
  struct Counters {
    prometheus::Counter& malformed;           // invalid UTF-8 or an empty "/me"
    prometheus::Counter& moderation_rejected;  // a listed word, action kReject
    prometheus::Counter& moderation_masked;    // a listed word, action kMask
  };

  MessagePolicy(ModerationOptions moderation, Counters counters);

  // Returns what to commit for `submission`, or INVALID_ARGUMENT naming the
  // field: invalid UTF-8, an empty "/me" action, or a listed word when the
  // action is kReject. The error never contains the listed word.
  absl::StatusOr<PolicyResult> Apply(const internal::v1::Submission& submission) const;

 private:
  const ModerationOptions moderation_;
  Counters counters_;
};

}  // namespace parley::processor

#endif  // PARLEY_SERVICES_PROCESSOR_MESSAGE_POLICY_H_
