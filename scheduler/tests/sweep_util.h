// The one skeleton of the sync primitives' cancellation sweeps (sync_test.cc):
// a scenario spawns its tasks into a `SweepRun`, lets the TestScheduler run
// them while a seeded cancellation injector drops one now and then (so a
// task is cancelled at whichever await the schedule left it: not started,
// queued, woken but not resumed, or between awaits), then checks the
// invariants every sweep shares and its own:
//   * no double resume: no task passes an await more often than it makes it;
//   * no lost wake-up: every task that was not cancelled got through;
//   * every frame destroyed exactly once (FrameProbe on `counts()`).
// `SYNC_SWEEP` runs a scenario over 1,000 seeds under the uniform random
// strategy and 1,000 under PCT.
//
//   void LatchSweep(const std::shared_ptr<TestScheduler>& scheduler) {
//     Latch latch(2);                      // what frames use: before the run
//     SweepRun run(scheduler);
//     run.Spawn(ex, [&]() -> Future<void> { FrameProbe p(run.counts()); ... });
//     run.CancelWhileStepping({.steps = 40, .cancel_one_in = 8});
//     run.ExpectPasses(passes, 1, "waiter");
//     run.ExpectEveryFrameDestroyedOnce();
//   }
//   SYNC_SWEEP(SyncSweep, Latch, LatchSweep, /*pct_depth=*/2, /*pct_max_steps=*/60)
//
// Declare the run after everything its tasks' frames refer to: it drops the
// tasks (destroying their frames) when it goes, before those locals go.
#ifndef SCHEDULER_TESTS_SWEEP_UTIL_H_
#define SCHEDULER_TESTS_SWEEP_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "executor/executor.h"
#include "gtest/gtest.h"
#include "scheduler/task.h"
#include "scheduler/tests/sync_test_util.h"
#include "testing/harness.h"
#include "testing/test_scheduler.h"

namespace scheduler::testing_util {

// How the run steps and cancels.
struct CancelSchedule {
  int steps = 0;               // scheduler steps at most
  uint64_t cancel_one_in = 1;  // after each step, cancel one task with chance 1/this
  // Called before each step: the test's own part of the scenario (a Set, a
  // send). With it, stepping goes on while nothing is runnable, since the
  // action may make something runnable.
  std::function<void()> before_each_step;
};

class SweepRun {
 public:
  explicit SweepRun(std::shared_ptr<TestScheduler> scheduler) : scheduler_(std::move(scheduler)) {}
  SweepRun(const SweepRun&) = delete;
  SweepRun& operator=(const SweepRun&) = delete;
  ~SweepRun() { tasks_.clear(); }  // frames go before `counts_`

  // Frames declare a FrameProbe on this.
  FrameCounts& counts() { return counts_; }

  // Spawns `body` on `ex` as task number size() (the index the checks use).
  template <typename F>
  void Spawn(Executor& ex, F&& body) {
    tasks_.push_back(ex.Spawn(std::forward<F>(body)));
    cancelled_.push_back(false);
  }
  size_t size() const { return tasks_.size(); }
  bool cancelled(size_t i) const { return cancelled_[i]; }
  bool finished(size_t i) const { return tasks_[i].IsReady(); }

  // Steps the scheduler (stopping early once nothing is runnable, unless the
  // schedule has its own action), cancelling at random after each step, then
  // runs until parked.
  void CancelWhileStepping(const CancelSchedule& schedule) {
    for (int step = 0; step < schedule.steps; ++step) {
      if (schedule.before_each_step) schedule.before_each_step();
      if (!scheduler_->Tick() && !schedule.before_each_step) break;
      MaybeCancelOne(scheduler_, tasks_, cancelled_, schedule.cancel_one_in);
    }
    scheduler_->RunUntilParked();
  }

  // Tasks not cancelled.
  int survivors() const {
    int n = 0;
    for (bool c : cancelled_) n += !c;
    return n;
  }

  // Tasks neither cancelled nor finished.
  int WaitingSurvivors() const {
    int waiting = 0;
    for (size_t i = 0; i < tasks_.size(); ++i) waiting += !cancelled_[i] && !tasks_[i].IsReady();
    return waiting;
  }

  // Every task not cancelled has finished.
  void ExpectSurvivorsFinished(std::string_view what) const {
    for (size_t i = 0; i < tasks_.size(); ++i) {
      if (cancelled_[i]) continue;
      EXPECT_TRUE(tasks_[i].IsReady()) << what << " " << i << " lost its wake-up";
    }
  }

  // `passes[i]` counts how often task i got through its awaits: at most
  // `awaits` (once each), exactly `awaits` unless it was cancelled.
  void ExpectPasses(const std::vector<int>& passes, int awaits, std::string_view what) const {
    for (size_t i = 0; i < passes.size(); ++i) {
      EXPECT_LE(passes[i], awaits) << what << " " << i << " resumed twice from one await";
      if (cancelled_[i]) continue;
      EXPECT_EQ(passes[i], awaits) << what << " " << i << " lost its wake-up";
    }
  }

  // Drops every task (then, if asked, runs what dropping them queued, such
  // as the wake-ups of a channel's closing); each frame made was destroyed
  // exactly once.
  void ExpectEveryFrameDestroyedOnce(bool run_until_parked_first = false) {
    tasks_.clear();
    if (run_until_parked_first) scheduler_->RunUntilParked();
    EXPECT_EQ(counts_.alive(), 0);
  }

 private:
  std::shared_ptr<TestScheduler> scheduler_;
  FrameCounts counts_;
  std::vector<Task<void>> tasks_;
  std::vector<bool> cancelled_;
};

}  // namespace scheduler::testing_util

// Defines suite.<name>Random and suite.<name>Pct: `sweep(scheduler)` over
// 1,000 seeds each, under the uniform random strategy and under PCT with
// the given depth and step bound. `name` may be empty (suite.Random).
#define SYNC_SWEEP(suite, name, sweep, depth, max_steps)                             \
  SCHEDULER_TEST_WITH(suite, name##Random, .iterations = 1000) { sweep(scheduler); } \
  SCHEDULER_TEST_WITH(suite, name##Pct, .iterations = 1000,                          \
                      .strategy = ::scheduler::Strategy::kPct, .pct_depth = (depth), \
                      .pct_max_steps = (max_steps)) {                                \
    sweep(scheduler);                                                                \
  }

#endif  // SCHEDULER_TESTS_SWEEP_UTIL_H_
