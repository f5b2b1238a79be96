#include "message_policy.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "parley/chat/normalization.h"

namespace parley::processor {
namespace {

constexpr absl::string_view kActionCommand = "/me";

// Turns "/me waves" into an action with text "waves". "/mean" stays plain
// text; "/me" followed by nothing but whitespace is an error.
absl::Status ApplyAction(PolicyResult* result) {
  absl::string_view text = result->text;
  if (!absl::StartsWith(text, kActionCommand)) return absl::OkStatus();
  absl::string_view rest = text.substr(kActionCommand.size());
  if (!rest.empty() && !absl::ascii_isspace(static_cast<unsigned char>(rest.front()))) {
    return absl::OkStatus();
  }
  rest = absl::StripLeadingAsciiWhitespace(rest);
  if (absl::StripTrailingAsciiWhitespace(rest).empty()) {
    return absl::InvalidArgumentError(
        "text: \"/me\" needs an action after it, for example \"/me waves\"");
  }
  result->text = std::string(rest);
  result->kind = v1::ChatMessage::KIND_ACTION;
  return absl::OkStatus();
}

}  // namespace

MessagePolicy::MessagePolicy(ModerationOptions moderation, Counters counters)
    : moderation_(std::move(moderation)), counters_(counters) {}

absl::StatusOr<PolicyResult> MessagePolicy::Apply(
    const internal::v1::Submission& submission) const {
  // 1. NFC, so that a name and a word compare equal however they were
  // encoded.
  PolicyResult result;
  absl::StatusOr<std::string> sender = chat::ToNfc("sender", submission.sender());
  absl::StatusOr<std::string> text = chat::ToNfc("text", submission.text());
  for (const absl::Status& status : {sender.status(), text.status()}) {
    if (!status.ok()) {
      counters_.malformed.Increment();
      return status;
    }
  }
  result.sender = *std::move(sender);
  result.text = *std::move(text);

  // 2. "/me " actions.
  if (absl::Status action = ApplyAction(&result); !action.ok()) {
    counters_.malformed.Increment();
    return action;
  }

  // 3. Moderation of the text as it will be shown.
  switch (moderation_.action) {
    case ModerationAction::kOff:
      break;
    case ModerationAction::kReject:
      if (moderation_.words.Matches(result.text)) {
        counters_.moderation_rejected.Increment();
        return absl::InvalidArgumentError(
            "text: contains a word on this server's moderation list; reword the message");
      }
      break;
    case ModerationAction::kMask: {
      int masked = 0;
      result.text = moderation_.words.Mask(result.text, &masked);
      if (masked > 0) counters_.moderation_masked.Increment();
      break;
    }
  }
  return result;
}

}  // namespace parley::processor
