#include "parley/pipeline/outcomes.h"

namespace parley::pipeline {

Outcome ToOutcome(const std::string& message_id, const Result& result) {
  Outcome outcome;
  outcome.set_message_id(message_id);
  if (result.ok()) {
    *outcome.mutable_commit() = *result;
  } else {
    outcome.mutable_error()->set_code(static_cast<int>(result.status().code()));
    outcome.mutable_error()->set_message(std::string(result.status().message()));
  }
  return outcome;
}

Result FromOutcome(const Outcome& outcome) {
  if (outcome.has_commit()) return outcome.commit();
  if (outcome.has_error()) {
    auto code = static_cast<absl::StatusCode>(outcome.error().code());
    if (code == absl::StatusCode::kOk) code = absl::StatusCode::kInternal;
    return absl::Status(code, outcome.error().message());
  }
  return absl::InternalError("outcome carries neither a commit nor an error");
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  // absl::StatusCode and grpc::StatusCode share their numbering.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

}  // namespace parley::pipeline
