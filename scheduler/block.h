// Block / BlockWithTimeout: run a future to completion from synchronous code.
//
//   int answer = Block(scheduler, ComputeAsync());
//
// The future runs on the calling thread; while it waits, the thread parks
// through `Scheduler::Park` (which, under the TestScheduler, runs the other
// tasks deterministically instead of sleeping, and moves the fake clock to the
// next timer when that is the only way forward: see testing/test_scheduler.h).
//
// Misuse: calling either function from inside a task's step is a fatal error
// naming both the call site and the running task: a task that blocks its
// thread can deadlock its scheduler; await instead.
#ifndef SCHEDULER_BLOCK_H_
#define SCHEDULER_BLOCK_H_

#include <memory>
#include <optional>
#include <source_location>
#include <utility>

#include "scheduler/duration.h"
#include "scheduler/future.h"
#include "scheduler/internal/driver_scheduler.h"
#include "scheduler/scheduler.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"

namespace scheduler {

// The outcome of `BlockWithTimeout`: the value, or the unfinished future.
// The unfinished future keeps its progress; awaiting or blocking on it later
// continues where it stopped. Dropping it cancels the work.
template <typename T>
class BlockResult {
 public:
  static BlockResult Finished(internal::Stored<T> value) {
    BlockResult r;
    r.value_.emplace(std::move(value));
    return r;
  }
  static BlockResult TimedOut(Future<T> unfinished) {
    BlockResult r;
    r.unfinished_ = std::move(unfinished);
    return r;
  }

  bool finished() const { return value_.has_value(); }
  bool timed_out() const { return !finished(); }

  // The value. Must be `finished()`.
  T value() && {
    if (!finished()) internal::FatalError("BlockResult::value() on a timed-out block");
    if constexpr (!std::is_void_v<T>) return std::move(*value_);
  }
  // The unfinished future. Must be `timed_out()`.
  Future<T> TakeUnfinished() && {
    if (finished()) internal::FatalError("BlockResult::TakeUnfinished() on a finished block");
    return std::move(unfinished_);
  }

 private:
  std::optional<internal::Stored<T>> value_;
  Future<T> unfinished_;
};

namespace internal {

void CheckNotInTask(const char* operation, std::source_location location);

// Spawns `future` on a fresh DriverScheduler driven by the calling thread.
template <typename T>
std::pair<std::shared_ptr<DriverScheduler>, Task<T>> StartDriven(
    const std::shared_ptr<Scheduler>& scheduler, Future<T> future, std::source_location location) {
  auto driver = std::make_shared<DriverScheduler>(scheduler);
  std::shared_ptr<Scheduler> as_scheduler = driver;
  Task<T> task = SpawnWithMode(as_scheduler, ScheduleMode::kBackground,
                               MakeMetadata(*scheduler, std::nullopt, std::nullopt, location),
                               std::move(future));
  // Only now: the first step is run by the caller's loop without a poke, so
  // the thread's park token stays clear and every later poke means "the
  // future can go on" (the TestScheduler counts those steps, and runs
  // another task's step first when nothing ran in between).
  driver->DriveFromThread(scheduler->GetUnparker());
  return {std::move(driver), std::move(task)};
}

// Suspends the awaiting task until the driven task has a step to run.
struct DrivenStepPending {
  using IsSchedulerAwaitable = void;
  DriverScheduler* driver;
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    return driver->DriveFromTask(SuspendCurrentTask(h));
  }
  void await_resume() const noexcept {}
};

// Announces a block to the scheduler's test controls for as long as it lives
// (`BeginBlock` / `EndBlock`), so a TestScheduler can keep a blocking
// session's own tasks from running and count a timeout's step budget across
// all the `Park` calls of one block. Does nothing on production schedulers.
class BlockScope {
 public:
  BlockScope(Scheduler& scheduler, const BlockInfo& info);
  ~BlockScope();
  BlockScope(const BlockScope&) = delete;
  BlockScope& operator=(const BlockScope&) = delete;

 private:
  TestControls* controls_;
};

// The handed-back future: the awaiting task becomes the driver.
template <typename T>
Future<T> ContinueDriven(std::shared_ptr<DriverScheduler> driver, Task<T> task) {
  while (!(task.IsReady() || task.IsCancelled())) {
    if (!driver->RunPending()) co_await DrivenStepPending{driver.get()};
  }
  co_return co_await std::move(task);
}

// Block / BlockWithTimeout on behalf of `session` (a ForegroundExecutor):
// the same as the public functions below, plus the session, which the test
// controls keep from running its other tasks while it blocks.
template <SpawnableFuture F>
SpawnResult<F> BlockIn(const std::shared_ptr<Scheduler>& scheduler,
                       std::optional<SessionId> session, F&& future,
                       std::source_location location) {
  CheckNotInTask("Block", location);
  BlockScope scope(*scheduler, BlockInfo{session, std::nullopt, location});
  auto [driver, task] = StartDriven(scheduler, AsFuture(std::forward<F>(future)), location);
  while (true) {
    driver->RunPending();
    if ((task.IsReady() || task.IsCancelled())) break;
    scheduler->Park(std::nullopt);
  }
  if constexpr (std::is_void_v<SpawnResult<F>>) {
    task.TakeResult("Block");
  } else {
    return task.TakeResult("Block");
  }
}

template <SpawnableFuture F>
BlockResult<SpawnResult<F>> BlockWithTimeoutIn(const std::shared_ptr<Scheduler>& scheduler,
                                               std::optional<SessionId> session, Duration timeout,
                                               F&& future, std::source_location location) {
  using T = SpawnResult<F>;
  CheckNotInTask("BlockWithTimeout", location);
  BlockScope scope(*scheduler, BlockInfo{session, timeout, location});
  auto [driver, task] = StartDriven(scheduler, AsFuture(std::forward<F>(future)), location);
  const Instant deadline = SaturatingAdd(scheduler->Now(), NonNegative(timeout));
  while (true) {
    driver->RunPending();
    if ((task.IsReady() || task.IsCancelled()))
      return BlockResult<T>::Finished(task.TakeResult("BlockWithTimeout"));
    const Instant now = scheduler->Now();
    if (now >= deadline || !scheduler->Park(deadline - now)) {
      driver->RunPending();
      if ((task.IsReady() || task.IsCancelled()))
        return BlockResult<T>::Finished(task.TakeResult("BlockWithTimeout"));
      driver->StopDrivingFromThread();
      return BlockResult<T>::TimedOut(ContinueDriven(driver, std::move(task)));
    }
  }
}

}  // namespace internal

// Runs `future` to completion and returns its value (or rethrows).
template <Spawnable F>
SpawnResult<F> Block(const std::shared_ptr<Scheduler>& scheduler, F&& future,
                     std::source_location location = std::source_location::current()) {
  return internal::BlockIn(scheduler, std::nullopt, std::forward<F>(future), location);
}

// Like Block, but gives up after `timeout` (under the TestScheduler: after a
// seeded number of steps, the blocked future's own included, see
// `SetBlockOnTicks`; or when nothing can happen before the timeout) and hands
// the unfinished future back instead of cancelling it.
template <Spawnable F>
BlockResult<SpawnResult<F>> BlockWithTimeout(
    const std::shared_ptr<Scheduler>& scheduler, Duration timeout, F&& future,
    std::source_location location = std::source_location::current()) {
  return internal::BlockWithTimeoutIn(scheduler, std::nullopt, timeout, std::forward<F>(future),
                                      location);
}

}  // namespace scheduler

#endif  // SCHEDULER_BLOCK_H_
