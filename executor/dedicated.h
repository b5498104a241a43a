// Dedicated sessions: a future that must stay on one thread, with local
// children.
//
// Some work holds state that is not thread-safe (a parser with a
// thread-affine cache, a non-reentrant C library, an audio graph) and yet
// must not run on the main thread. `SpawnDedicated(fn)` gives such work a
// session of its own:
//
//   Task<Stats> stats = executor.SpawnDedicated([](LocalExecutor local) -> Future<Stats> {
//     Parser parser;                                   // not thread-safe: stays here
//     Task<void> flusher = local.Spawn(FlushLoop(&parser, local));   // a local child
//     co_await local.Timer(std::chrono::milliseconds(5));
//     co_return parser.stats();
//   });
//
// Contract:
//   * Every step of the root future and of every task spawned through its
//     `LocalExecutor` runs in the dedicated session, one at a time, in FIFO
//     order of their wake-ups. In production that is a thread of its own
//     (created by SpawnDedicated); under the TestScheduler
//     there is no thread: the session is one more foreground session of the
//     TestScheduler (FIFO within it, interleaved with everything else by the
//     seed), so a seed replays it exactly and a Block of the main session does
//     not stop it.
//   * `fn` is called with the session's `LocalExecutor` at the root's first
//     step, in the session, so whatever it builds is made where it is used.
//   * The returned `Task` is an ordinary Task, awaitable from anywhere.
//     Dropping it cancels the root at its current await (locals' destructors
//     run in the session if the root is idle, else when its step returns).
//     Children are independent tasks: dropping a child's Task cancels it;
//     a detached child keeps running after the root has finished.
//   * The session (and its thread) lives while any of its tasks lives or a
//     `LocalExecutor` copy exists; the thread exits when the last one goes.
//     A task that waits forever keeps it alive, as any pending task keeps its
//     frame: shut the scheduler down (which cancels what it holds) to end it.
//   * Timers of a dedicated session (`LocalExecutor::Timer`) are timers of
//     the scheduler it was spawned on (its clock, fake under the
//     TestScheduler); only the wake-up runs in the session.
//   * Differences from a foreground session under the TestScheduler:
//     `IsMainThread()` is true in a dedicated step there (it is a foreground
//     step of the TestScheduler) and false in production; do not rely on it.
//
// Thread-safety: `LocalExecutor` is copyable and may be used from any
// thread; what it spawns runs in the session. Misuse: `Block` inside a
// dedicated step is a fatal error, as inside any task.
#ifndef EXECUTOR_DEDICATED_H_
#define EXECUTOR_DEDICATED_H_

#include <concepts>
#include <memory>
#include <source_location>
#include <type_traits>
#include <utility>

#include "scheduler/duration.h"
#include "scheduler/future.h"
#include "scheduler/ids.h"
#include "scheduler/scheduler.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"

namespace scheduler {

namespace internal {

// The scheduler of one dedicated session (defined in dedicated.cc). Shares
// the context of the scheduler it was spawned on.
class DedicatedScheduler;
struct LocalExecutorAccess;

std::shared_ptr<DedicatedScheduler> MakeDedicatedScheduler(
    const std::shared_ptr<Scheduler>& underlying, std::source_location location);
std::shared_ptr<Scheduler> AsScheduler(const std::shared_ptr<DedicatedScheduler>& dedicated);
const std::shared_ptr<Scheduler>& Underlying(const DedicatedScheduler& dedicated);
SessionId SessionOf(const DedicatedScheduler& dedicated);

// Keeps the session's scheduler alive for as long as the wrapped future runs
// (each dedicated task's frame holds one reference): tasks hold their
// scheduler only weakly, and a detached child must outlive the root.
template <typename T>
Future<T> KeepSessionAlive(std::shared_ptr<DedicatedScheduler> keep, Future<T> future) {
  (void)keep;
  co_return co_await std::move(future);
}

}  // namespace internal

// Spawns tasks into one dedicated session (see the file comment).
class LocalExecutor {
 public:
  // Spawns `future` (a Future or a callable making one) as a task of this
  // session.
  template <Spawnable F>
  Task<SpawnResult<F>> Spawn(
      F&& future, std::source_location location = std::source_location::current()) const {
    return SpawnForeground(
        internal::AsScheduler(session_), internal::SessionOf(*session_),
        internal::KeepSessionAlive(session_, internal::AsFuture(std::forward<F>(future))),
        location);
  }

  // Completes after `delay` on the clock of the scheduler the session was
  // spawned on.
  Task<void> Timer(Duration delay,
                   std::source_location location = std::source_location::current()) const {
    return scheduler::Timer(internal::Underlying(*session_), delay, location);
  }

  Instant Now() const { return internal::Underlying(*session_)->Now(); }
  // The session's id (its tasks' `TaskMetadata::session`).
  SessionId session() const { return internal::SessionOf(*session_); }
  // The scheduler the session was spawned on.
  const std::shared_ptr<Scheduler>& underlying() const { return internal::Underlying(*session_); }

 private:
  friend struct internal::LocalExecutorAccess;

  explicit LocalExecutor(std::shared_ptr<internal::DedicatedScheduler> session)
      : session_(std::move(session)) {}

  std::shared_ptr<internal::DedicatedScheduler> session_;
};

namespace internal {
struct LocalExecutorAccess {
  static LocalExecutor Make(std::shared_ptr<DedicatedScheduler> session) {
    return LocalExecutor(std::move(session));
  }
};
}  // namespace internal

// Runs `fn(LocalExecutor)`, which returns a `Future<T>`, in a new dedicated
// session on `scheduler` (see the file comment) and returns the root's Task.
template <typename Fn>
auto SpawnDedicated(const std::shared_ptr<Scheduler>& scheduler, Fn fn,
                    std::source_location location = std::source_location::current()) {
  static_assert(std::is_invocable_v<Fn&, LocalExecutor>,
                "SpawnDedicated needs a callable taking a LocalExecutor");
  using F = std::invoke_result_t<Fn&, LocalExecutor>;
  static_assert(internal::IsFuture<F>, "SpawnDedicated's callable must return a Future<T>");
  if (scheduler == nullptr) {
    internal::FatalError("SpawnDedicated with a null scheduler at " + FormatLocation(location));
  }
  LocalExecutor local =
      internal::LocalExecutorAccess::Make(internal::MakeDedicatedScheduler(scheduler, location));
  return local.Spawn([fn = std::move(fn), local]() mutable -> F { return fn(local); }, location);
}

}  // namespace scheduler

#endif  // EXECUTOR_DEDICATED_H_
