// ReplayChooser: replays a Schedule (schedule.h), step by step.
//
//   absl::StatusOr<Schedule> schedule = Schedule::Parse("17:1.2x14.1");
//   auto replay = std::make_shared<ReplayChooser>(*schedule);
//   auto scheduler = TestScheduler::Create({.seed = schedule->seed,
//                                           .strategy = Strategy::kReplay,
//                                           .chooser = replay});
//
// At step i it runs the schedule's i-th task. Past the end of the schedule,
// or where that task is not a candidate (the test changed, or the schedule was
// edited or shrunk), it takes the replay default: the previous step's task if
// it can run again, else the lowest id. A schedule recorded from the same test
// and data seed replays exactly: same steps, same trace hash.
//
// Thread-safety: as ScheduleChooser (one run, the driving thread).
#ifndef TESTING_REPLAY_CHOOSER_H_
#define TESTING_REPLAY_CHOOSER_H_

#include <cstdint>

#include "testing/schedule.h"
#include "testing/schedule_chooser.h"

namespace scheduler {

class ReplayChooser final : public ScheduleChooser {
 public:
  explicit ReplayChooser(Schedule schedule) : schedule_(std::move(schedule)) {}

  size_t Choose(const ChoicePoint& point) override;

  // Choices where the schedule's task was not a candidate (0 for a faithful
  // replay; a diverged replay still runs, on the default).
  uint64_t mismatches() const { return mismatches_; }
  // The first such step, or 0.
  uint64_t first_mismatch_step() const { return first_mismatch_step_; }

 private:
  const Schedule schedule_;
  uint64_t mismatches_ = 0;
  uint64_t first_mismatch_step_ = 0;
};

}  // namespace scheduler

#endif  // TESTING_REPLAY_CHOOSER_H_
