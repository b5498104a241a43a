// ShrinkSchedule: from a failing schedule, find a simpler one that still
// fails: fewer preemptions first, then fewer explicit steps (schedule.h).
//
// A failure found by a random seed usually comes with a long schedule full of
// incidental switches. Shrinking replays variants of it (the replay default
// fills in whatever a variant leaves out) and keeps any that still fails and
// is simpler, until no variant helps or the run budget is spent:
//   * drop a chunk of steps (halves, quarters, ... single steps; dropping the
//     tail is truncation), in the manner of delta debugging;
//   * turn a switch into a continuation: the step runs the previous task
//     again, which removes a preemption when that task could continue;
//   * swap two adjacent runs of steps (one task's, then another's), which
//     can merge runs of the same task and so drop switches.
// Each accepted variant is replaced by what actually ran, cut to its explicit
// steps, so the result replays exactly and carries no dead weight.
//
// The caller supplies the replay, which runs the test once under a given
// schedule (ReplayConfig + the test body) and says whether it failed *the
// same way* (the harness compares the failing assertion's location); the
// shrinker never runs anything itself.
//
//   ShrinkResult r = ShrinkSchedule(failing, [&](const Schedule& s) {
//     auto scheduler = TestScheduler::Create(ReplayConfig(s));
//     const bool failed = RunBody(scheduler);
//     return OutcomeOf(*scheduler, failed);
//   });
//   // r.shrunk.ToString() goes on the replay line.
//
// Thread-safety: none; calls `replay` sequentially on the calling thread.
#ifndef TESTING_SHRINK_H_
#define TESTING_SHRINK_H_

#include <cstdint>
#include <functional>
#include <optional>

#include "testing/schedule.h"
#include "testing/test_scheduler.h"

namespace scheduler {

// What one replay showed.
struct ReplayOutcome {
  bool failed = false;  // failed the same way as the original
  Schedule schedule;    // what ran, cut to its explicit steps
  ScheduleStats stats;
};

using ReplayFunction = std::function<ReplayOutcome(const Schedule& schedule)>;

// A TestSchedulerConfig that replays `schedule` and records what runs (for
// OutcomeOf). Other fields come from `base`.
TestSchedulerConfig ReplayConfig(const Schedule& schedule, TestSchedulerConfig base = {});

// The run `scheduler` made under ReplayConfig, cut to its explicit steps.
ReplayOutcome OutcomeOf(const TestScheduler& scheduler, bool failed);
// The same from a recorded schedule and its stats (schedule_stats(); without
// stats, as under random or PCT, nothing is cut).
ReplayOutcome OutcomeOf(Schedule ran, std::optional<ScheduleStats> stats, bool failed);

struct ShrinkOptions {
  // Replays allowed, the first (reproducing the original) included.
  uint64_t max_runs = 200;
};

struct ShrinkResult {
  // Whether the original failed again when replayed; if not, nothing was
  // shrunk (the failure depends on something the schedule does not capture).
  bool reproduced = false;
  Schedule original;  // as replayed, cut to its explicit steps
  ScheduleStats original_stats;
  Schedule shrunk;  // == original if nothing simpler failed
  ScheduleStats shrunk_stats;
  uint64_t runs = 0;  // replays made
};

ShrinkResult ShrinkSchedule(const Schedule& failing, const ReplayFunction& replay,
                            ShrinkOptions options = {});

}  // namespace scheduler

#endif  // TESTING_SHRINK_H_
