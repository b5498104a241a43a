// Spawn helpers: turn a `Future<T>` into a running `Task<T>` on a Scheduler.
//
//   std::shared_ptr<Scheduler> s = ...;
//   Task<int> t = Spawn(s, ComputeAsync(42));
//   Task<int> u = Spawn(s, [data = std::move(data)]() -> Future<int> { ... });
//
// Each helper accepts either a `Future<T>` or a callable returning one; the
// callable is kept alive inside the task, so a lambda's captures outlive the
// coroutine (see the lifetime pitfall in future.h).
//
// Every helper records the caller's `std::source_location`, which diagnostics
// (leaked tasks, stuck blocks, unhandled exceptions) print. Helpers may be
// called from any thread, including from inside tasks; the new task's
// `TaskMetadata::parent` is the task running on the calling thread, if any.
//
// Most code uses these through `Executor` / `ForegroundExecutor`.
#ifndef SCHEDULER_SPAWN_H_
#define SCHEDULER_SPAWN_H_

#include <memory>
#include <optional>
#include <source_location>
#include <utility>

#include "scheduler/duration.h"
#include "scheduler/future.h"
#include "scheduler/ids.h"
#include "scheduler/scheduler.h"
#include "scheduler/task.h"

namespace scheduler {
namespace internal {

TaskMetadata MakeMetadata(Scheduler& scheduler, std::optional<TaskLabel> label,
                          std::optional<SessionId> session, std::source_location location);

template <typename T>
Task<T> SpawnWithMode(const std::shared_ptr<Scheduler>& scheduler, ScheduleMode mode,
                      TaskMetadata metadata, Future<T> future) {
  if (scheduler == nullptr) FatalError("Spawn with a null scheduler at " + DescribeTask(metadata));
  if (!future.valid()) FatalError("Spawn of an empty Future: " + DescribeTask(metadata));
  auto* core = TaskCore<T>::InFrame(scheduler, mode, std::move(metadata), std::move(future));
  Task<T> task = TaskAccess::Wrap(core);
  core->Start();
  return task;
}

template <typename T>
struct IsTaskImpl : std::false_type {};
template <typename T>
struct IsTaskImpl<Task<T>> : std::true_type {};
template <typename T>
concept IsTask = IsTaskImpl<std::remove_cvref_t<T>>::value;

template <typename T>
Future<T> AwaitTask(Task<T> task) {
  co_return co_await std::move(task);
}

// Everything the helpers accept, as a Future: a Future itself, a callable
// making one, or a Task (awaited by the new future).
template <typename F>
auto AsFuture(F&& f) {
  if constexpr (IsFuture<F>) {
    return std::forward<F>(f);
  } else if constexpr (IsTask<F>) {
    return AwaitTask(std::forward<F>(f));
  } else {
    return InvokeKeepingAlive(std::forward<F>(f));
  }
}

template <typename F>
concept SpawnableFuture = IsFuture<F> ||(IsTask<F>&& std::is_rvalue_reference_v<F&&>) ||
                          FutureFactory<std::remove_cvref_t<F>>;

template <typename F>
using SpawnResult = typename decltype(AsFuture(std::declval<F>()))::value_type;

}  // namespace internal

// What Spawn, Block and the executors accept: a `Future<T>`, a `Task<T>`
// rvalue (awaited by the new task), or a callable returning a `Future<T>`
// (called once; its captures live as long as the future).
template <typename F>
concept Spawnable = internal::SpawnableFuture<F>;

// The `T` of what a Spawnable `F` produces: `Spawn(f)` returns a
// `Task<SpawnResult<F>>`.
template <Spawnable F>
using SpawnResult = internal::SpawnResult<F>;

// Runs `future` on the scheduler's background threads.
template <Spawnable F>
Task<SpawnResult<F>> Spawn(const std::shared_ptr<Scheduler>& scheduler, F&& future,
                           std::source_location location = std::source_location::current()) {
  return internal::SpawnWithMode(
      scheduler, internal::ScheduleMode::kBackground,
      internal::MakeMetadata(*scheduler, std::nullopt, std::nullopt, location),
      internal::AsFuture(std::forward<F>(future)));
}

// Like Spawn, tagging every step of the task with `label`.
template <Spawnable F>
Task<SpawnResult<F>> SpawnLabeled(const std::shared_ptr<Scheduler>& scheduler, TaskLabel label,
                                  F&& future,
                                  std::source_location location = std::source_location::current()) {
  return internal::SpawnWithMode(scheduler, internal::ScheduleMode::kLabeled,
                                 internal::MakeMetadata(*scheduler, label, std::nullopt, location),
                                 internal::AsFuture(std::forward<F>(future)));
}

// Like Spawn, with a scheduling priority (see `Priority` in task_metadata.h:
// high-priority work is picked first without starving the rest). Every step
// of the task, including those after a wake-up, keeps the priority.
template <Spawnable F>
Task<SpawnResult<F>> SpawnWithPriority(
    const std::shared_ptr<Scheduler>& scheduler, Priority priority, F&& future,
    std::source_location location = std::source_location::current()) {
  TaskMetadata metadata = internal::MakeMetadata(*scheduler, std::nullopt, std::nullopt, location);
  metadata.priority = priority;
  return internal::SpawnWithMode(scheduler, internal::ScheduleMode::kBackground,
                                 std::move(metadata), internal::AsFuture(std::forward<F>(future)));
}

// Runs `future` on the main thread, in FIFO order with the other foreground
// tasks of `session`. The future need not be thread-safe: all its steps run on
// the main thread.
template <Spawnable F>
Task<SpawnResult<F>> SpawnForeground(
    const std::shared_ptr<Scheduler>& scheduler, SessionId session, F&& future,
    std::source_location location = std::source_location::current()) {
  return internal::SpawnWithMode(
      scheduler, internal::ScheduleMode::kForeground,
      internal::MakeMetadata(*scheduler, std::nullopt, session, location),
      internal::AsFuture(std::forward<F>(future)));
}

// A task that completes once `delay` has elapsed on the scheduler's clock.
// Dropping it cancels the timer (and, under the TestScheduler, takes it out of
// the timer heap). A delay <= 0 (zero or negative) is due now: the returned
// Task is already complete (`IsReady()`), and awaiting it does not suspend.
// `Duration::max()` never completes.
Task<void> Timer(const std::shared_ptr<Scheduler>& scheduler, Duration delay,
                 std::source_location location = std::source_location::current());

}  // namespace scheduler

#endif  // SCHEDULER_SPAWN_H_
