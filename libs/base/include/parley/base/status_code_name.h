#ifndef PARLEY_BASE_STATUS_CODE_NAME_H_
#define PARLEY_BASE_STATUS_CODE_NAME_H_

#include "absl/status/status.h"

namespace parley {

// Returns the canonical upper-case name of a status code, such as
// "DEADLINE_EXCEEDED", for logs, metric labels and CLI output. gRPC status
// codes have the same numbering and can be cast.
const char* StatusCodeName(absl::StatusCode code);

}  // namespace parley

#endif  // PARLEY_BASE_STATUS_CODE_NAME_H_
