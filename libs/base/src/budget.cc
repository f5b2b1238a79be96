#include "parley/base/budget.h"

namespace parley {

std::optional<int64_t> BudgetMicros(absl::Time deadline, absl::Time now) {
  if (deadline == absl::InfiniteFuture()) return std::nullopt;
  return absl::ToInt64Microseconds(deadline - now);
}

absl::Time DeadlineFromBudget(std::optional<int64_t> budget_micros, absl::Time now) {
  if (!budget_micros.has_value()) return absl::InfiniteFuture();
  return now + absl::Microseconds(*budget_micros);
}

}  // namespace parley
