#include "intake_stage.h"

#include "absl/strings/str_cat.h"
#include "parley/base/ids.h"
#include "parley/chat/normalization.h"

namespace parley::intake {

IntakeStage::IntakeStage(chat::Limits limits, pipeline::Hop& downstream,
                         RateLimiter* rate_limiter)
    : limits_(limits), downstream_(downstream), rate_limiter_(rate_limiter) {}

std::string IntakeStage::MessageId(const v1::SendRequest& request) {
  // Senders cannot contain '/', so "sender/id" cannot collide across
  // senders; '~' marks ids that intake generated.
  if (request.client_message_id().empty()) return absl::StrCat("~", RandomHexId());
  // A sender that is not valid UTF-8 fails validation, so its id is only
  // used in the log line of the rejection.
  absl::StatusOr<std::string> sender = chat::ToNfc("sender", request.sender());
  return absl::StrCat(sender.ok() ? *sender : request.sender(), "/",
                      request.client_message_id());
}

absl::StatusOr<v1::SendRequest> IntakeStage::Normalize(const v1::SendRequest& request) const {
  if (auto status = chat::ValidateRoom("room", request.room(), limits_); !status.ok()) {
    return status;
  }
  absl::StatusOr<std::string> sender = chat::ToNfc("sender", request.sender());
  if (!sender.ok()) return sender.status();
  if (auto status = chat::ValidateSender(*sender, limits_); !status.ok()) return status;
  absl::StatusOr<std::string> text = chat::ToNfc("text", request.text());
  if (!text.ok()) return text.status();
  if (auto status = chat::ValidateText(*text, limits_); !status.ok()) return status;
  if (auto status = chat::ValidateClientMessageId(request.client_message_id(), limits_);
      !status.ok()) {
    return status;
  }
  v1::SendRequest normalized = request;
  normalized.set_sender(*std::move(sender));
  normalized.set_text(*std::move(text));
  return normalized;
}

void IntakeStage::Send(const v1::SendRequest& request, const std::string& message_id,
                       absl::Time deadline, const std::string& trace_id, SendCallback done) {
  absl::StatusOr<v1::SendRequest> normalized = Normalize(request);
  if (!normalized.ok()) {
    done(normalized.status());
    return;
  }
  if (rate_limiter_ != nullptr) {
    if (absl::Status limited = rate_limiter_->Admit(normalized->sender()); !limited.ok()) {
      done(limited);
      return;
    }
  }
  pipeline::Item item;
  item.mutable_metadata()->set_message_id(message_id);
  item.mutable_metadata()->set_trace_id(trace_id);
  internal::v1::Submission* submission = item.mutable_submission();
  submission->set_room(normalized->room());
  submission->set_sender(normalized->sender());
  submission->set_text(normalized->text());

  downstream_.Send(std::move(item), deadline,
                   [message_id, done = std::move(done)](pipeline::Result result) mutable {
                     if (!result.ok()) {
                       done(result.status());
                       return;
                     }
                     v1::SendResponse response;
                     response.set_room(result->room());
                     response.set_sequence(result->sequence());
                     *response.mutable_commit_time() = result->commit_time();
                     response.set_message_id(message_id);
                     done(std::move(response));
                   });
}

}  // namespace parley::intake
