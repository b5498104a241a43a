#include "testing/internal/fair_random_chooser.h"

namespace scheduler::internal {

size_t FairRandomChooser::Choose(const ChoicePoint& point) {
  const size_t n = point.candidates.size();
  size_t pick = n;
  uint64_t most_owed = bound_ - 1;  // only a count >= bound is owed a step
  for (size_t i = 0; i < n; ++i) {
    auto it = passed_over_.find(point.candidates[i]);
    if (it != passed_over_.end() && it->second > most_owed) {
      most_owed = it->second;
      pick = i;
    }
  }
  if (pick == n) pick = static_cast<size_t>(rng_.Below(n));
  // Candidates absent from this choice are dropped: their count restarts.
  next_.clear();
  for (size_t i = 0; i < n; ++i) {
    if (i == pick) continue;
    auto it = passed_over_.find(point.candidates[i]);
    next_[point.candidates[i]] = (it == passed_over_.end() ? 0 : it->second) + 1;
  }
  passed_over_.swap(next_);
  return pick;
}

}  // namespace scheduler::internal
