// ScheduleChooser: a strategy that decides each step from outside the
// TestScheduler, given the whole set of runnable tasks.
//
// The strategies that explore or reproduce schedules rather than sample them
// are choosers: ReplayChooser (replay_chooser.h: a Schedule string),
// ByteChooser (byte_chooser.h: fuzzer bytes) and the runs of ExhaustiveSearch
// (exhaustive.h). Pass one as `TestSchedulerConfig::chooser`, with the
// matching `strategy` (kReplay, kFuzz, kExhaustive). Fair random is a chooser
// inside the scheduler.
//
// At every step with two or more candidates (runnable tasks the ordering rules
// of test_scheduler.h allow: background tasks, each session's oldest task
// except the blocking session's, deprioritized tasks only if nothing else),
// the scheduler calls `Choose` with the candidates in the canonical order:
// the task that ran the previous step first, if it can run again (index 0
// then means "no preemption"), then the rest by ascending task id. Task ids
// are handed out deterministically, so the same run prefix yields the same
// candidates. Steps with one candidate are not choices.
//
// Called on the scheduler's driving thread, under its lock: `Choose` must not
// call back into the scheduler. One chooser serves one run; a chooser shared
// by two live schedulers gets their choices interleaved.
#ifndef TESTING_SCHEDULE_CHOOSER_H_
#define TESTING_SCHEDULE_CHOOSER_H_

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "scheduler/ids.h"

namespace scheduler {

struct ChoicePoint {
  // The step about to run (1-based; the scheduler's steps() + 1).
  uint64_t step = 0;
  // Two or more, in the canonical order above.
  absl::Span<const TaskId> candidates;
  // Whether candidates[0] ran the previous step: choosing any other index is
  // a preemption.
  bool previous_is_candidate = false;
};

class ScheduleChooser {
 public:
  virtual ~ScheduleChooser() = default;
  // Returns the index in `point.candidates` of the task to run. An index out
  // of range is a fatal error.
  virtual size_t Choose(const ChoicePoint& point) = 0;
};

}  // namespace scheduler

#endif  // TESTING_SCHEDULE_CHOOSER_H_
