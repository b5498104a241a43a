// Executor and ForegroundExecutor: the handles application code spawns with.
//
//   Executor background(scheduler);
//   ForegroundExecutor foreground(scheduler);   // on the main thread
//   Task<Image> decoded = background.Spawn(Decode(bytes));
//   foreground.Spawn([&]() -> Future<void> { Show(co_await std::move(decoded)); })
//       .Detach();
//
// Both wrap a `std::shared_ptr<Scheduler>`: a production dispatcher
// (platforms/platform_dispatcher.h) or, in tests, the TestScheduler
// (testing/test_scheduler.h). Code written against them runs unchanged on
// either; under the TestScheduler every ordering decision comes from the seed.
//
// What every spawn method shares:
//   * It accepts a `Future<T>`, a callable returning one (moved into the task
//     and called once, at its first step, so its captures live as long as
//     the task), or a `Task<T>` rvalue (awaited by the new task): see
//     `Spawnable` in scheduler/spawn.h.
//   * It returns a `Task<T>` that owns the task. Dropping the Task cancels
//     it (no step starts after that; its frame is destroyed); `Detach()`
//     lets it run to the end; `co_await std::move(task)` yields its value or
//     rethrows its exception (`TaskCancelledError` if it was cancelled).
//   * `location` (defaulted to the call site) is the task's spawn location:
//     misuse reports, unhandled-exception reports and the TestScheduler's
//     traces name it.
//   * Nothing runs inside the call: the first step is queued on the
//     scheduler. After the scheduler is shut down, the task is cancelled at
//     once.
//
// The test controls (`Tick`, `RunUntilParked`, `AdvanceClock`,
// `Deprioritize`, `SimulateRandomDelay`) drive the TestScheduler and do
// nothing on a production scheduler; they reach it through
// `Scheduler::GetTestControls()`, so neither class links `//testing`.
#ifndef EXECUTOR_EXECUTOR_H_
#define EXECUTOR_EXECUTOR_H_

#include <memory>
#include <optional>
#include <source_location>
#include <thread>
#include <utility>

#include "executor/dedicated.h"
#include "scheduler/block.h"
#include "scheduler/duration.h"
#include "scheduler/future.h"
#include "scheduler/ids.h"
#include "scheduler/scheduler.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"

namespace scheduler {

// Spawns background work. Copyable; copies share the scheduler. Every method
// is thread-safe except the test controls (see above).
class Executor {
 public:
  // `scheduler` must not be null (fatal). The Executor holds it strongly, so
  // a task that captures an Executor keeps its scheduler alive: shut the
  // scheduler down explicitly when done (platform_dispatcher.h).
  explicit Executor(std::shared_ptr<Scheduler> scheduler);

  // Runs `future` as a background task: on a pool thread in production, in
  // a seeded order under the TestScheduler. Thread-safe.
  template <Spawnable F>
  Task<SpawnResult<F>> Spawn(
      F&& future, std::source_location location = std::source_location::current()) const {
    return scheduler::Spawn(scheduler_, std::forward<F>(future), location);
  }

  // Like `Spawn`, tagging every step of the task with `label`. Production
  // schedulers ignore labels; the TestScheduler can run a label's steps last
  // (`Deprioritize`) to provoke orderings. Thread-safe.
  template <Spawnable F>
  Task<SpawnResult<F>> SpawnLabeled(
      TaskLabel label, F&& future,
      std::source_location location = std::source_location::current()) const {
    return scheduler::SpawnLabeled(scheduler_, label, std::forward<F>(future), location);
  }

  // Like `Spawn`, at `priority`. Production: high-priority work is picked
  // first without starving the rest on Linux, ignored on Windows and macOS;
  // the TestScheduler draws the class to run with seeded 60/30/10 weights.
  // See `Priority` (scheduler/task_metadata.h). Thread-safe.
  template <Spawnable F>
  Task<SpawnResult<F>> SpawnWithPriority(
      Priority priority, F&& future,
      std::source_location location = std::source_location::current()) const {
    return scheduler::SpawnWithPriority(scheduler_, priority, std::forward<F>(future), location);
  }

  // Runs `fn(LocalExecutor)` in a dedicated session, for state that must
  // stay on one thread: a thread of its own in production, its own session
  // under the TestScheduler (executor/dedicated.h). Thread-safe.
  template <typename Fn>
  auto SpawnDedicated(Fn fn,
                      std::source_location location = std::source_location::current()) const {
    return scheduler::SpawnDedicated(scheduler_, std::move(fn), location);
  }

  // A task that completes `delay` after now on the scheduler's clock, never
  // earlier (the fake clock under the TestScheduler: it fires when the test
  // advances the clock, or when nothing else can run). Dropping it cancels
  // the timer and frees its slot at once. A delay <= 0 completes without
  // waiting. Thread-safe.
  Task<void> Timer(Duration delay,
                   std::source_location location = std::source_location::current()) const {
    return scheduler::Timer(scheduler_, delay, location);
  }

  // Runs `future` to completion on the calling thread and returns its value
  // (or rethrows its exception). For code outside any task (main, tests,
  // synchronous APIs); calling it inside a task step is fatal, naming the
  // call site, since it would park a scheduler thread. Under the
  // TestScheduler the calling thread runs other tasks while it waits.
  template <Spawnable F>
  SpawnResult<F> Block(F&& future,
                       std::source_location location = std::source_location::current()) const {
    return scheduler::Block(scheduler_, std::forward<F>(future), location);
  }

  // Like `Block`, but gives up after `timeout` (a step budget under the
  // TestScheduler) and hands the unfinished future back, with its progress,
  // in the BlockResult (scheduler/block.h): nothing is cancelled.
  template <Spawnable F>
  BlockResult<SpawnResult<F>> BlockWithTimeout(
      Duration timeout, F&& future,
      std::source_location location = std::source_location::current()) const {
    return scheduler::BlockWithTimeout(scheduler_, timeout, std::forward<F>(future), location);
  }

  // The scheduler's monotonic clock (fake under the TestScheduler).
  Instant Now() const { return scheduler_->Now(); }
  // True on the thread that runs foreground tasks.
  bool IsMainThread() const { return scheduler_->IsMainThread(); }
  // The scheduler's answer (SchedulerContext::NumCpus): the machine's in
  // production, a fixed number under the TestScheduler (its `num_cpus`).
  int NumCpus() const { return scheduler_->context().NumCpus(); }

  // --- Test controls: no-ops on production schedulers. Call them from the
  // thread driving the TestScheduler, outside task steps. ---

  // Runs the steps of tasks labeled `label` only when nothing else can run.
  void Deprioritize(TaskLabel label) const;
  // Runs one task step. Returns whether one ran; `std::nullopt` on
  // production schedulers.
  std::optional<bool> Tick() const;
  // Runs steps until no task can run without the clock moving.
  void RunUntilParked() const;
  // Moves the fake clock forward by `d`, firing due timers in deadline order.
  void AdvanceClock(Duration d) const;
  // Yields a seeded random number of times under the TestScheduler, to shake
  // out ordering assumptions; completes at once in production.
  Future<void> SimulateRandomDelay() const;
  // The TestScheduler's controls, or nullptr.
  TestControls* test_controls() const { return scheduler_->GetTestControls(); }

  // The scheduler this executor spawns on.
  const std::shared_ptr<Scheduler>& scheduler() const { return scheduler_; }

 private:
  std::shared_ptr<Scheduler> scheduler_;
};

// Spawns work on the main thread. Bound to the thread that created it: every
// method not marked "from any thread" checks the calling thread and, on any
// other thread, prints the call site and the creation site and aborts. Copies
// share the same session, so their tasks keep one FIFO order.
class ForegroundExecutor {
 public:
  // Binds the executor to the calling thread and opens a new session: its
  // tasks run in FIFO order among themselves. Must be called on the
  // scheduler's main thread (`IsMainThread()`; under the TestScheduler: its
  // creating thread, outside background steps), else a fatal error names
  // `location` and the main thread's site. `scheduler` must not be null.
  explicit ForegroundExecutor(std::shared_ptr<Scheduler> scheduler,
                              std::source_location location = std::source_location::current());

  // Runs `future` as a foreground task of this session, on the main thread
  // (inside `RunMainLoop` in production), after the session's earlier tasks.
  template <Spawnable F>
  Task<SpawnResult<F>> Spawn(
      F&& future, std::source_location location = std::source_location::current()) const {
    CheckThread("Spawn", location);
    return scheduler::SpawnForeground(executor_.scheduler(), session_, std::forward<F>(future),
                                      location);
  }

  // Executor::Timer, from the executor's thread.
  Task<void> Timer(Duration delay,
                   std::source_location location = std::source_location::current()) const {
    CheckThread("Timer", location);
    return executor_.Timer(delay, location);
  }

  // Executor::Block on behalf of this session.
  template <Spawnable F>
  SpawnResult<F> Block(F&& future,
                       std::source_location location = std::source_location::current()) const {
    CheckThread("Block", location);
    // Blocks on behalf of this session: its other foreground tasks stay
    // queued until the block returns (the thread is busy blocking).
    return internal::BlockIn(executor_.scheduler(), session_, std::forward<F>(future), location);
  }

  // Executor::BlockWithTimeout on behalf of this session.
  template <Spawnable F>
  BlockResult<SpawnResult<F>> BlockWithTimeout(
      Duration timeout, F&& future,
      std::source_location location = std::source_location::current()) const {
    CheckThread("BlockWithTimeout", location);
    return internal::BlockWithTimeoutIn(executor_.scheduler(), session_, timeout,
                                        std::forward<F>(future), location);
  }

  // The scheduler's clock, from the executor's thread.
  Instant Now(std::source_location location = std::source_location::current()) const {
    CheckThread("Now", location);
    return executor_.Now();
  }

  // True on the scheduler's main thread. Callable from any thread.
  bool IsMainThread() const { return executor_.IsMainThread(); }

  // This executor's session (shared by its copies). Callable from any thread.
  SessionId session() const { return session_; }
  // The background executor over the same scheduler (usable from any thread).
  const Executor& background() const { return executor_; }

 private:
  void CheckThread(const char* method, std::source_location call_site) const;

  Executor executor_;
  SessionId session_;
  std::thread::id thread_;
  std::source_location created_at_;
};

}  // namespace scheduler

#endif  // EXECUTOR_EXECUTOR_H_
