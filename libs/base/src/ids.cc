#include "parley/base/ids.h"

#include <cstdint>
#include <random>

#include "absl/strings/str_format.h"

namespace parley {

std::string RandomHexId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  uint64_t high = random();
  uint64_t low = random();
  return absl::StrFormat("%016x%016x", high, low);
}

}  // namespace parley
