// Executor and ForegroundExecutor: the handles application code spawns with.
//
// Both wrap a `std::shared_ptr<Scheduler>` and expose the spawn helpers as
// methods plus the test controls of SPEC.md. Against a production scheduler
// the test controls are no-ops (`Tick` returns `std::nullopt`); against the
// TestScheduler they drive it. Neither class links `//testing`: the controls
// go through `Scheduler::GetTestControls()`.
//
//   Executor background(scheduler);
//   ForegroundExecutor foreground(scheduler);   // on the main thread
//   Task<Image> decoded = background.Spawn(Decode(bytes));
//   foreground.Spawn([&]() -> Future<void> { Show(co_await std::move(decoded)); })
//       .Detach();
#ifndef EXECUTOR_EXECUTOR_H_
#define EXECUTOR_EXECUTOR_H_

#include <memory>
#include <optional>
#include <source_location>
#include <thread>
#include <utility>

#include "scheduler/block.h"
#include "scheduler/duration.h"
#include "scheduler/future.h"
#include "scheduler/ids.h"
#include "scheduler/scheduler.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"

namespace scheduler {

// Spawns background work. Copyable, thread-safe; copies share the scheduler.
class Executor {
 public:
  // `scheduler` must not be null.
  explicit Executor(std::shared_ptr<Scheduler> scheduler);

  template <internal::SpawnableFuture F>
  Task<internal::SpawnResult<F>> Spawn(
      F&& future, std::source_location location = std::source_location::current()) const {
    return scheduler::Spawn(scheduler_, std::forward<F>(future), location);
  }

  template <internal::SpawnableFuture F>
  Task<internal::SpawnResult<F>> SpawnLabeled(
      TaskLabel label, F&& future,
      std::source_location location = std::source_location::current()) const {
    return scheduler::SpawnLabeled(scheduler_, label, std::forward<F>(future), location);
  }

  Task<void> Timer(Duration delay,
                   std::source_location location = std::source_location::current()) const {
    return scheduler::Timer(scheduler_, delay, location);
  }

  template <internal::SpawnableFuture F>
  internal::SpawnResult<F> Block(
      F&& future, std::source_location location = std::source_location::current()) const {
    return scheduler::Block(scheduler_, std::forward<F>(future), location);
  }

  template <internal::SpawnableFuture F>
  BlockResult<internal::SpawnResult<F>> BlockWithTimeout(
      Duration timeout, F&& future,
      std::source_location location = std::source_location::current()) const {
    return scheduler::BlockWithTimeout(scheduler_, timeout, std::forward<F>(future), location);
  }

  Instant Now() const { return scheduler_->Now(); }
  bool IsMainThread() const { return scheduler_->IsMainThread(); }
  // The scheduler's answer (SchedulerContext::NumCpus): the machine's in
  // production, a fixed number under the TestScheduler (its `num_cpus`).
  int NumCpus() const { return scheduler_->context().NumCpus(); }

  // --- Test controls: no-ops on production schedulers. ---
  void Deprioritize(TaskLabel label) const;
  // One task step; `std::nullopt` on production schedulers.
  std::optional<bool> Tick() const;
  void RunUntilParked() const;
  void AdvanceClock(Duration d) const;
  // Yields a seeded random number of times under the TestScheduler, to shake
  // out ordering assumptions; completes at once in production.
  Future<void> SimulateRandomDelay() const;
  // The TestScheduler's controls, or nullptr.
  TestControls* test_controls() const { return scheduler_->GetTestControls(); }

  const std::shared_ptr<Scheduler>& scheduler() const { return scheduler_; }

 private:
  std::shared_ptr<Scheduler> scheduler_;
};

// Spawns work on the main thread. Bound to the thread that created it: every
// method checks the calling thread and, on any other thread, prints the call
// site and the creation site and aborts. Copies share the same session, so
// their tasks keep one FIFO order.
class ForegroundExecutor {
 public:
  // Must be called on the scheduler's main thread (`IsMainThread()`; under
  // the TestScheduler: its creating thread, outside background steps), else
  // a fatal error names `location` and the main thread's site.
  explicit ForegroundExecutor(std::shared_ptr<Scheduler> scheduler,
                              std::source_location location = std::source_location::current());

  template <internal::SpawnableFuture F>
  Task<internal::SpawnResult<F>> Spawn(
      F&& future, std::source_location location = std::source_location::current()) const {
    CheckThread("Spawn", location);
    return scheduler::SpawnForeground(executor_.scheduler(), session_, std::forward<F>(future),
                                      location);
  }

  Task<void> Timer(Duration delay,
                   std::source_location location = std::source_location::current()) const {
    CheckThread("Timer", location);
    return executor_.Timer(delay, location);
  }

  template <internal::SpawnableFuture F>
  internal::SpawnResult<F> Block(
      F&& future, std::source_location location = std::source_location::current()) const {
    CheckThread("Block", location);
    // Blocks on behalf of this session: its other foreground tasks stay
    // queued until the block returns (the thread is busy blocking).
    return internal::BlockIn(executor_.scheduler(), session_, std::forward<F>(future), location);
  }

  template <internal::SpawnableFuture F>
  BlockResult<internal::SpawnResult<F>> BlockWithTimeout(
      Duration timeout, F&& future,
      std::source_location location = std::source_location::current()) const {
    CheckThread("BlockWithTimeout", location);
    return internal::BlockWithTimeoutIn(executor_.scheduler(), session_, timeout,
                                        std::forward<F>(future), location);
  }

  Instant Now(std::source_location location = std::source_location::current()) const {
    CheckThread("Now", location);
    return executor_.Now();
  }

  bool IsMainThread() const { return executor_.IsMainThread(); }

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
