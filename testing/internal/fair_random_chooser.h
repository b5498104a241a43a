// Internal: the fair random strategy (strategy.h) as a ScheduleChooser.
//
// Uniform among the candidates, except that a candidate passed over `bound`
// times in a row is owed a step: the most-owed candidate runs (the earliest
// in the canonical order among equals). Hence every runnable task runs
// within bound + n - 1 of the choices it takes part in, however the others
// behave: a task spinning on `co_await Yield()` cannot starve the task it is
// waiting for. A task that stops being a candidate (suspends) starts from
// zero when it comes back, since waiting on an event is not starvation.
#ifndef TESTING_INTERNAL_FAIR_RANDOM_CHOOSER_H_
#define TESTING_INTERNAL_FAIR_RANDOM_CHOOSER_H_

#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "testing/rng.h"
#include "testing/schedule_chooser.h"

namespace scheduler::internal {

class FairRandomChooser final : public ScheduleChooser {
 public:
  // `bound` >= 1 (checked by the TestScheduler).
  FairRandomChooser(Rng rng, uint64_t bound) : rng_(rng), bound_(bound) {}

  size_t Choose(const ChoicePoint& point) override;

 private:
  Rng rng_;  // the schedule stream
  const uint64_t bound_;
  // Choices each current candidate has lost in a row. Looked up only, never
  // iterated, so hashing cannot reach a choice.
  absl::flat_hash_map<TaskId, uint64_t> passed_over_;
  absl::flat_hash_map<TaskId, uint64_t> next_;  // scratch, swapped with passed_over_
};

}  // namespace scheduler::internal

#endif  // TESTING_INTERNAL_FAIR_RANDOM_CHOOSER_H_
