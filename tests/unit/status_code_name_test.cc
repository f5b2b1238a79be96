#include "parley/base/status_code_name.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace parley {
namespace {

TEST(StatusCodeName, NamesCanonicalCodes) {
  EXPECT_STREQ(StatusCodeName(absl::StatusCode::kOk), "OK");
  EXPECT_STREQ(StatusCodeName(absl::StatusCode::kCancelled), "CANCELLED");
  EXPECT_STREQ(StatusCodeName(absl::StatusCode::kDeadlineExceeded), "DEADLINE_EXCEEDED");
  EXPECT_STREQ(StatusCodeName(absl::StatusCode::kResourceExhausted), "RESOURCE_EXHAUSTED");
  EXPECT_STREQ(StatusCodeName(absl::StatusCode::kUnavailable), "UNAVAILABLE");
  EXPECT_STREQ(StatusCodeName(absl::StatusCode::kUnauthenticated), "UNAUTHENTICATED");
}

TEST(StatusCodeName, UnknownNumberIsUnknown) {
  EXPECT_STREQ(StatusCodeName(static_cast<absl::StatusCode>(99)), "UNKNOWN");
}

}  // namespace
}  // namespace parley
