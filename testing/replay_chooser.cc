#include "testing/replay_chooser.h"

#include <algorithm>

namespace scheduler {

size_t ReplayChooser::Choose(const ChoicePoint& point) {
  if (point.step > schedule_.steps.size()) return 0;
  const TaskId wanted = schedule_.steps[point.step - 1];
  auto it = std::find(point.candidates.begin(), point.candidates.end(), wanted);
  if (it != point.candidates.end()) return static_cast<size_t>(it - point.candidates.begin());
  if (mismatches_++ == 0) first_mismatch_step_ = point.step;
  return 0;
}

}  // namespace scheduler
