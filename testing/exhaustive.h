// ExhaustiveSearch: runs every schedule of a small test, up to a preemption
// bound, by depth-first search over the scheduler's choices.
//
// Stateless model checking (CHESS, loom, shuttle's DFS): the test is run once
// per schedule, each time from scratch with the same data seed; every run
// replays the choices of the one before up to the deepest choice that still
// has an untried alternative, takes that alternative, and continues with the
// non-preemptive default (keep running the task of the previous step while it
// can run, else the lowest task id). When no choice has an alternative left,
// the space is exhausted: every schedule with at most `preemption_bound`
// preemptions (schedule.h) has run exactly once.
//
//   ExhaustiveSearch search({.preemption_bound = 2});
//   while (std::shared_ptr<ScheduleChooser> chooser = search.NextSchedule()) {
//     auto scheduler = TestScheduler::Create(
//         {.seed = 0, .strategy = Strategy::kExhaustive, .chooser = chooser});
//     ... run the test body; stop at the first failure ...
//   }
//   // search.schedules_run(), search.exhausted(), search.status()
//
// The harness does this for `SCHEDULER_TEST_WITH(..., .strategy =
// Strategy::kExhaustive, .preemption_bound = 2)`.
//
// Why a preemption bound: most bugs need few preemptions (CHESS found nearly
// all of its bugs within two), while the number of schedules grows
// exponentially with the bound rather than with the length of the test.
//
// Pruning: none beyond the bound. Sleep sets or state hashing would skip
// schedules only if we knew which steps commute or what state a task reads;
// a step here is arbitrary user code, so either would be unsound. Steps with a
// single candidate are not choices, so they cost nothing.
//
// Spin loops: under the non-preemptive default a task that spins on
// `co_await Yield()` keeps running. Past `max_steps` in a run the choices are
// round-robin (fair) and not explored, so such a run still ends; use
// Strategy::kFairRandom for tests that rely on spinning.
//
// The test must be deterministic: a rerun of a prefix that meets different
// candidates stops the search with an error status naming the choice.
//
// Thread-safety: none; one search drives one run at a time, from one thread.
#ifndef TESTING_EXHAUSTIVE_H_
#define TESTING_EXHAUSTIVE_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "testing/schedule_chooser.h"

namespace scheduler {

struct ExhaustiveOptions {
  // Schedules with more preemptions are not run. Negative: no bound.
  int preemption_bound = 2;
  // Stop after this many schedules even if the space is not exhausted.
  uint64_t max_schedules = 100000;
  // Choices after this step are round-robin and not explored (spin loops).
  uint64_t max_steps = 10000;
};

class ExhaustiveSearch {
 public:
  explicit ExhaustiveSearch(ExhaustiveOptions options = {});
  ~ExhaustiveSearch();
  ExhaustiveSearch(const ExhaustiveSearch&) = delete;
  ExhaustiveSearch& operator=(const ExhaustiveSearch&) = delete;

  // Ends the previous run (if any) and returns the chooser of the next one,
  // for `TestSchedulerConfig::chooser` with Strategy::kExhaustive; or nullptr
  // when the search is over: exhausted, max_schedules reached, or stopped by
  // nondeterminism (see status()). The previous run's chooser must not be
  // used any more.
  std::shared_ptr<ScheduleChooser> NextSchedule();

  // Runs started so far.
  uint64_t schedules_run() const;
  // Whether every schedule within the bound has run.
  bool exhausted() const;
  // An error if the test turned out not to be deterministic.
  absl::Status status() const;
  // The largest number of choice points seen in one run.
  uint64_t max_depth() const;

 private:
  struct State;
  class Run;
  const std::shared_ptr<State> state_;
};

}  // namespace scheduler

#endif  // TESTING_EXHAUSTIVE_H_
