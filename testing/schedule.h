// Schedule: one TestScheduler run written down as data, so it can be printed,
// stored, edited, shrunk and replayed without the strategy that produced it.
//
// A schedule is the data seed plus the task that ran each step. The data seed
// feeds the scheduler's data stream (Rng(), NextRandom, BlockWithTimeout
// budgets, SimulateRandomDelay); the strategies draw from a separate schedule
// stream, so replaying the steps with the same data seed reproduces the run,
// trace hash included, whichever strategy first produced it.
//
// As a string (`ToString`, `Parse`): "<seed>:<steps>", where <steps> is a
// '.'-separated list of task ids, and "<id>x<n>" stands for n consecutive
// steps of task <id>:
//
//   17:1.2x14.1        seed 17; task#1 runs step 1, task#2 steps 2-15,
//                      task#1 step 16, then the replay default (below)
//
// Only digits, ':', '.' and 'x': a string can go on a shell command line
// unquoted (the harness prints `--test_env=SCHEDULE=17:1.2x14.1`).
//
// Replay (replay_chooser.h) runs the listed task at each step; past the end of
// the list, or if the listed task is not runnable there, it takes the default:
// the task of the previous step if it can run again (no preemption), else the
// runnable task with the lowest id. So a schedule may stop after its last
// step that differs from the default: the rest follows.
#ifndef TESTING_SCHEDULE_H_
#define TESTING_SCHEDULE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "scheduler/ids.h"

namespace scheduler {

struct Schedule {
  uint64_t seed = 0;
  std::vector<TaskId> steps;  // steps[i]: the task that runs step i + 1

  std::string ToString() const;
  // Inverse of ToString. Errors name the offending position.
  static absl::StatusOr<Schedule> Parse(std::string_view text);

  bool operator==(const Schedule& other) const = default;
};

// What a run under a chooser-driven strategy (fair random, exhaustive,
// replay, fuzz) cost, as the TestScheduler counted it.
struct ScheduleStats {
  // Steps whose task differs from the one that ran the step before, while
  // that one could have run again: the choices a non-preemptive scheduler
  // would not make.
  uint64_t preemptions = 0;
  // The last step whose choice differs from the replay default (schedule.h):
  // the schedule truncated to this many steps replays the same run.
  uint64_t explicit_steps = 0;
};

}  // namespace scheduler

#endif  // TESTING_SCHEDULE_H_
