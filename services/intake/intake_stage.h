#ifndef PARLEY_SERVICES_INTAKE_INTAKE_STAGE_H_
#define PARLEY_SERVICES_INTAKE_INTAKE_STAGE_H_

#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "parley/chat/validation.h"
#include "parley/pipeline/hop.h"
#include "parley/v1/chat.pb.h"
#include "rate_limiter.h"

namespace parley::intake {

using SendCallback = absl::AnyInvocable<void(absl::StatusOr<v1::SendResponse>)>;

// The intake stage: validates a Send, normalises its sender and text to
// Unicode NFC, gives it its pipeline message id and hands it downstream. The reply is the commit, once processor and
// broadcaster both have the message. Thread-safe.
class IntakeStage {
 public:
  // `downstream`, and `rate_limiter` unless it is null (no limit), must
  // outlive the stage.
  IntakeStage(chat::Limits limits, pipeline::Hop& downstream,
              RateLimiter* rate_limiter = nullptr);

  // Returns the pipeline message id of `request`. With a client_message_id
  // it is derived from the NFC form of the sender and the id, so every
  // retry maps to the same message however the client encodes the name.
  // Without one it is random.
  static std::string MessageId(const v1::SendRequest& request);

  // Validates, normalises, rate-limits and forwards `request`. `done` runs
  // exactly once.
  void Send(const v1::SendRequest& request, const std::string& message_id, absl::Time deadline,
            const std::string& trace_id, SendCallback done);

  // Withdraws `message_id` if it is not committed yet.
  void Cancel(const std::string& message_id) { downstream_.Cancel(message_id); }

  // Returns `request` with sender and text in NFC, or INVALID_ARGUMENT for
  // the first rule it breaks. Length limits apply to the NFC form, which is
  // what processor commits.
  absl::StatusOr<v1::SendRequest> Normalize(const v1::SendRequest& request) const;

 private:
  const chat::Limits limits_;
  pipeline::Hop& downstream_;
  RateLimiter* const rate_limiter_;
};

}  // namespace parley::intake

#endif  // PARLEY_SERVICES_INTAKE_INTAKE_STAGE_H_
