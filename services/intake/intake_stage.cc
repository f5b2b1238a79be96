#include "intake_stage.h"

#include "absl/strings/str_cat.h"
#include "parley/base/ids.h"

namespace parley::intake {

IntakeStage::IntakeStage(chat::Limits limits, pipeline::Hop& downstream)
    : limits_(limits), downstream_(downstream) {}

std::string IntakeStage::MessageId(const v1::SendRequest& request) {
  // Senders cannot contain '/', so "sender/id" cannot collide across
  // senders; '~' marks ids that intake generated.
  if (request.client_message_id().empty()) return absl::StrCat("~", RandomHexId());
  return absl::StrCat(request.sender(), "/", request.client_message_id());
}

absl::Status IntakeStage::Validate(const v1::SendRequest& request) const {
  if (auto status = chat::ValidateRoom("room", request.room(), limits_); !status.ok()) {
    return status;
  }
  if (auto status = chat::ValidateSender(request.sender(), limits_); !status.ok()) return status;
  if (auto status = chat::ValidateText(request.text(), limits_); !status.ok()) return status;
  return chat::ValidateClientMessageId(request.client_message_id(), limits_);
}

void IntakeStage::Send(const v1::SendRequest& request, const std::string& message_id,
                       absl::Time deadline, const std::string& trace_id, SendCallback done) {
  if (absl::Status invalid = Validate(request); !invalid.ok()) {
    done(invalid);
    return;
  }
  pipeline::Item item;
  item.mutable_metadata()->set_message_id(message_id);
  item.mutable_metadata()->set_trace_id(trace_id);
  internal::v1::Submission* submission = item.mutable_submission();
  submission->set_room(request.room());
  submission->set_sender(request.sender());
  submission->set_text(request.text());

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
