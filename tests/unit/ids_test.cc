#include "parley/base/ids.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace parley {
namespace {

TEST(RandomHexId, Has32HexDigits) {
  std::string id = RandomHexId();
  ASSERT_EQ(id.size(), 32u);
  for (char c : id) {
    EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << "in " << id;
  }
}

TEST(RandomHexId, DoesNotRepeat) {
  absl::flat_hash_set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(RandomHexId());
  EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace parley
