#ifndef PARLEY_TESTS_E2E_HTTP_GET_H_
#define PARLEY_TESTS_E2E_HTTP_GET_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace parley::testing {

// Sends `GET path` over HTTP/1.0 to `address` (HOST:PORT) and returns the
// body of a 200 response. Any other status is an error that includes the
// response.
absl::StatusOr<std::string> HttpGet(const std::string& address, const std::string& path,
                                    absl::Duration timeout);

}  // namespace parley::testing

#endif  // PARLEY_TESTS_E2E_HTTP_GET_H_
