#ifndef PARLEY_BASE_BUDGET_H_
#define PARLEY_BASE_BUDGET_H_

// Conversions between a local deadline and the remaining time budget that
// travels in item metadata. Sending a budget instead of an absolute time is
// what gRPC's grpc-timeout header does: each host measures against its own
// clock, so hosts need no synchronised clocks, and the time an item spends
// on the wire and in queues is taken off the budget at every hop.

#include <cstdint>
#include <optional>

#include "absl/time/time.h"

namespace parley {

// Returns the budget left until `deadline` at `now`, in microseconds, or
// nullopt when `deadline` is infinite (no deadline). An expired deadline
// gives a budget of 0 or less.
std::optional<int64_t> BudgetMicros(absl::Time deadline, absl::Time now);

// Returns the local deadline for a received budget, or InfiniteFuture when
// the item carries no budget.
absl::Time DeadlineFromBudget(std::optional<int64_t> budget_micros, absl::Time now);

}  // namespace parley

#endif  // PARLEY_BASE_BUDGET_H_
