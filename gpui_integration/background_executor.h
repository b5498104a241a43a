// BackgroundExecutor: GPUI's handle for work off the main thread.
//
// A thin layer over `scheduler::Executor` with GPUI's vocabulary: spawning
// (plain and labeled), timers, blocking, the clock, scoped spawning and
// detach-and-log-error, plus the test controls GPUI tests use. Against a
// production scheduler (the platform dispatcher) the test controls are no-ops
// and `Tick`/`Rng` return `std::nullopt`; against the TestScheduler they drive
// it. This target never links `//testing`: the controls go through
// `scheduler::TestControls`.
//
//   gpui::BackgroundExecutor background(dispatcher);
//   Task<Index> index = background.Spawn(BuildIndex(files));
//   background.DetachAndLogErr(background.Spawn(SaveAsync(path)));
//
// Copyable and thread-safe; copies share the scheduler. Futures handed to it
// run on background threads, so what they touch must be thread-safe.
#ifndef GPUI_INTEGRATION_BACKGROUND_EXECUTOR_H_
#define GPUI_INTEGRATION_BACKGROUND_EXECUTOR_H_

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <utility>

#include "executor/executor.h"
#include "gpui_integration/detach_and_log_err.h"
#include "gpui_integration/scope.h"
#include "gpui_integration/test_rng.h"
#include "scheduler/block.h"
#include "scheduler/duration.h"
#include "scheduler/future.h"
#include "scheduler/ids.h"
#include "scheduler/scheduler.h"
#include "scheduler/task.h"

namespace gpui {

class BackgroundExecutor {
 public:
  // `scheduler` must not be null.
  explicit BackgroundExecutor(std::shared_ptr<scheduler::Scheduler> scheduler);
  explicit BackgroundExecutor(scheduler::Executor executor) : executor_(std::move(executor)) {}

  // --- Spawning ---

  // Runs `future` (a Future or a callable returning one) on a background thread.
  template <scheduler::Spawnable F>
  scheduler::Task<scheduler::SpawnResult<F>> Spawn(
      F&& future, std::source_location location = std::source_location::current()) const {
    return executor_.Spawn(std::forward<F>(future), location);
  }

  // Like Spawn, tagging the task's steps with `label` (see `Deprioritize`).
  template <scheduler::Spawnable F>
  scheduler::Task<scheduler::SpawnResult<F>> SpawnLabeled(
      scheduler::TaskLabel label, F&& future,
      std::source_location location = std::source_location::current()) const {
    return executor_.SpawnLabeled(label, std::forward<F>(future), location);
  }

  // Like Spawn, with a priority: high-priority work is picked first without
  // starving the rest (see `scheduler::Priority` for each scheduler's rule).
  template <scheduler::Spawnable F>
  scheduler::Task<scheduler::SpawnResult<F>> SpawnWithPriority(
      scheduler::Priority priority, F&& future,
      std::source_location location = std::source_location::current()) const {
    return executor_.SpawnWithPriority(priority, std::forward<F>(future), location);
  }

  // A task that completes after `delay` on the scheduler's clock.
  scheduler::Task<void> Timer(
      scheduler::Duration delay,
      std::source_location location = std::source_location::current()) const {
    return executor_.Timer(delay, location);
  }

  // Runs `fn(scope)` and completes once every task spawned on `scope` has
  // finished; the tasks may borrow from the awaiting frame. See scope.h for
  // the cancellation rule that keeps those borrows safe.
  template <typename Fn>
  requires std::invocable<Fn&, Scope&> scheduler::Future<void> Scoped(
      Fn fn, std::source_location location = std::source_location::current())
  const { return Scope::Run(executor_.scheduler(), std::move(fn), location); }

  // Lets `task` finish on its own and logs a non-OK result (see
  // detach_and_log_err.h). The watcher runs on the background threads.
  template <internal::StatusResult T>
  void DetachAndLogErr(scheduler::Task<T> task,
                       std::source_location location = std::source_location::current()) const {
    Spawn(internal::AwaitAndLogErr(std::move(task), location), location).Detach();
  }

  // --- Blocking (not from inside a task: that is a fatal error) ---

  // Runs `future` to completion on the calling thread and returns its value.
  template <scheduler::Spawnable F>
  scheduler::SpawnResult<F> Block(
      F&& future, std::source_location location = std::source_location::current()) const {
    return executor_.Block(std::forward<F>(future), location);
  }

  // Like Block, giving up after `timeout` (a seeded step budget under the
  // TestScheduler, see `SetBlockOnTicks`); a timed-out future is handed back
  // in the result, not cancelled.
  template <scheduler::Spawnable F>
  scheduler::BlockResult<scheduler::SpawnResult<F>> BlockWithTimeout(
      scheduler::Duration timeout, F&& future,
      std::source_location location = std::source_location::current()) const {
    return executor_.BlockWithTimeout(timeout, std::forward<F>(future), location);
  }

  // --- Environment ---

  // The scheduler's clock (fake under the TestScheduler).
  scheduler::Instant Now() const { return executor_.Now(); }
  bool IsMainThread() const { return executor_.IsMainThread(); }
  // The scheduler's CPU count (SchedulerContext::NumCpus): the machine's in
  // production, a fixed number under the TestScheduler (its `num_cpus`), so
  // code that sizes its fan-out by it schedules the same on every machine.
  int NumCpus() const { return executor_.NumCpus(); }

  // --- Test controls: no-ops (or nullopt) on production schedulers ---

  // Whether this executor runs on a scheduler with test controls.
  bool IsTest() const { return test_controls() != nullptr; }
  // Tasks with `label` run only when nothing else can.
  void Deprioritize(scheduler::TaskLabel label) const { executor_.Deprioritize(label); }
  // Runs one task step; whether one ran. `std::nullopt` in production.
  std::optional<bool> Tick() const { return executor_.Tick(); }
  void RunUntilParked() const { executor_.RunUntilParked(); }
  // Moves the fake clock forward, firing due timers in order.
  void AdvanceClock(scheduler::Duration d) const { executor_.AdvanceClock(d); }
  // Yields a seeded number of times (completes at once in production).
  scheduler::Future<void> SimulateRandomDelay() const { return executor_.SimulateRandomDelay(); }
  // The seeded random source (see test_rng.h); `std::nullopt` in production.
  std::optional<TestRng> Rng() const;
  // Whether a Block with nothing left to run may park for another thread to
  // wake it (allowed) or fails the test at once (forbidden, the default).
  void AllowParking() const;
  void ForbidParking() const;
  // Shown in a stuck-test report: what the running task (or, outside a step,
  // the test) is waiting for. An empty hint clears it.
  void SetWaitingHint(std::string hint) const;
  // Marks the running task (or the test) as waiting since the call site,
  // until FinishWaiting; shown in stuck-test reports.
  void StartWaiting(std::source_location location = std::source_location::current()) const;
  void FinishWaiting() const;
  // A BlockWithTimeout runs between `min` and `max` steps (inclusive, seeded)
  // before timing out. Requires 0 <= min <= max, also in production (fatal).
  void SetBlockOnTicks(int64_t min, int64_t max) const;

  scheduler::TestControls* test_controls() const { return executor_.test_controls(); }
  const scheduler::Executor& executor() const { return executor_; }
  const std::shared_ptr<scheduler::Scheduler>& scheduler() const { return executor_.scheduler(); }

 private:
  scheduler::Executor executor_;
};

}  // namespace gpui

#endif  // GPUI_INTEGRATION_BACKGROUND_EXECUTOR_H_
