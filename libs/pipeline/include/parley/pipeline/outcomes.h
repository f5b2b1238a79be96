#ifndef PARLEY_PIPELINE_OUTCOMES_H_
#define PARLEY_PIPELINE_OUTCOMES_H_

// Conversions between the outcome forms: absl::Status in code, the
// internal proto Status on the wire, grpc::Status at the public API.

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"
#include "parley/pipeline/hop.h"

namespace parley::pipeline {

Outcome ToOutcome(const std::string& message_id, const Result& result);
Result FromOutcome(const Outcome& outcome);

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace parley::pipeline

#endif  // PARLEY_PIPELINE_OUTCOMES_H_
