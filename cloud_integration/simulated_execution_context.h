// SimulatedExecutionContext: the Cloud platform, simulated on any Scheduler
// (in practice a seeded TestScheduler), with request sessions whose cleanup is
// checked.
//
// One context plays the platform for many requests. Each request is a
// *session*; tasks join a session automatically when spawned while it is
// current, and so do the tasks those tasks spawn later, through any Executor
// built on `scheduler()`. Precisely, a spawn joins (first match wins):
//   1. the session made current (WithSession / SetCurrentSession) by the
//      spawning task itself, or, outside of any task, from outside of any task;
//   2. the spawning task's own session (lineage, to any depth);
//   3. any other current session.
// So a nested WithSession inside a request's task wins, and a request's
// descendants stay in it even if the driver left another session current.
// After a request's response, `ValidateSessionCleanup` fails if a task of the
// request is still running without being authorized: registered through
// `WaitUntil`, or a descendant of wait-until work that is still running. On
// a real platform unauthorized work may be dropped with the isolate.
//
//   auto test_scheduler = TestScheduler::Create({.seed = seed});
//   SimulatedExecutionContext ctx(test_scheduler);
//   Task<SimulatedRequestResult> served =
//       ctx.executor().Spawn(ctx.ServeRequest({"GET", "/items/a"}, worker));
//   ... drive test_scheduler (RunUntilParked / AdvanceClockToNextTimer) ...
//   SimulatedRequestResult r = served.TakeResult("test");
//   EXPECT_OK(r.cleanup);
//
// or by hand: `CreateSession()`, `WithSession(id, [&] { spawn... })`, drive,
// `ValidateSessionCleanup(id)`. Tasks spawned before their session existed
// join one with `TrackTaskForSession` and are authorized with
// `AddWaitUntilTask` (the seeds' names for the same bookkeeping).
//
// Why it takes a Scheduler rather than a ForegroundExecutor: it adds its
// session tracker as a task observer to the scheduler's context
// (`AddTaskObserver`), so it sees every task spawned afterwards on that
// scheduler or on any scheduler sharing its context, whichever Executor
// spawned it. Use one context per scheduler. It does not depend on //testing;
// any Scheduler works.
//
// Thread-safety: single-threaded, like the worker it simulates. Use it on the
// thread that created it (spawning from elsewhere aborts via the
// ForegroundExecutor's thread check). Futures need not be thread-safe.
//
// Lifetime: tasks spawned by workers refer to the context. Stop the scheduler
// (`TestScheduler::Shutdown()`) or let every task finish before destroying
// the context; its destructor cancels the wait-until work it still holds.
#ifndef CLOUD_INTEGRATION_SIMULATED_EXECUTION_CONTEXT_H_
#define CLOUD_INTEGRATION_SIMULATED_EXECUTION_CONTEXT_H_

#include <concepts>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cloud_integration/cloud_session_id.h"
#include "cloud_integration/execution_context.h"
#include "cloud_integration/request.h"
#include "executor/executor.h"
#include "scheduler/future.h"
#include "scheduler/scheduler.h"
#include "scheduler/task.h"

namespace cloud {

namespace internal {
class SessionTracker;
}  // namespace internal

// What `ServeRequest` observed about one request.
struct SimulatedRequestResult {
  CloudSessionId session;
  // The handler's response; the origin's if it threw after PassThrough(); a
  // 500 naming the exception if it threw otherwise.
  Response response;
  bool passed_through = false;
  // OK, or the handler's exception as InternalError.
  absl::Status handler_error;
  // `ValidateSessionCleanup` right after the handler finished.
  absl::Status cleanup;
  // OK, or every failure of the request's wait-until work (see WaitUntilSettled).
  absl::Status wait_until;
};

class SimulatedExecutionContext final : public ExecutionContext, public PlatformRuntime {
 public:
  struct Options {
    // Serves requests whose handler threw after PassThrough(). Default: 502.
    OriginHandler origin;
    // Told about each failed wait-until work. Default: print to stderr.
    WaitUntilErrorReporter on_wait_until_error;
  };

  // `scheduler` must not be null. Call on the thread that will drive the
  // worker (it becomes the context's ForegroundExecutor thread).
  explicit SimulatedExecutionContext(
      std::shared_ptr<scheduler::Scheduler> scheduler, Options options = {},
      std::source_location location = std::source_location::current());
  ~SimulatedExecutionContext() override;

  SimulatedExecutionContext(const SimulatedExecutionContext&) = delete;
  SimulatedExecutionContext& operator=(const SimulatedExecutionContext&) = delete;

  // --- Sessions ---

  // A new, empty session. Ids count from 1 per context.
  CloudSessionId CreateSession();

  // Runs `fn` with `session` current, then restores whatever was current
  // before (so nested calls work, also if `fn` throws). Tasks spawned by `fn`
  // join `session`, even when called inside another session's task.
  //
  // Returns what `fn` returns, as the seeds' `with_session` does, wrapped
  // for the unknown-session case: `absl::StatusOr<R>` for a value of type R,
  // `absl::Status` when `fn` returns void (OK) or an `absl::Status` (its
  // status). NotFoundError (and `fn` does not run) for an unknown session.
  template <typename Fn>
  requires std::invocable<Fn&>
  auto WithSession(CloudSessionId session, Fn&& fn) {
    using R = std::invoke_result_t<Fn&>;
    if constexpr (std::is_void_v<R>) {
      return RunInSession(session, fn);
    } else if constexpr (std::is_same_v<std::decay_t<R>, absl::Status>) {
      absl::Status result;
      absl::Status entered = RunInSession(session, [&] { result = fn(); });
      return entered.ok() ? result : entered;
    } else {
      std::optional<std::decay_t<R>> result;  // R need not be default-constructible
      absl::Status entered = RunInSession(session, [&] { result.emplace(fn()); });
      if (!entered.ok()) return absl::StatusOr<std::decay_t<R>>(std::move(entered));
      return absl::StatusOr<std::decay_t<R>>(std::move(*result));
    }
  }

  // Makes `session` current until changed: like WithSession without the
  // restore. NotFoundError for an unknown session (the current one is kept).
  absl::Status SetCurrentSession(CloudSessionId session);
  void ClearCurrentSession();

  // The session a spawn by the caller joins right now: inside a session's
  // task, that session; otherwise the current one, if any.
  std::optional<CloudSessionId> GetCurrentSession() const;

  // OK if every task of `session` still running was registered with
  // WaitUntil (or descends from such work that is still running).
  // Otherwise FailedPreconditionError naming each unauthorized task with its
  // spawn location and its parent's. Call it after the request's handler has
  // finished; a handler still running is reported as such. NotFoundError for
  // an unknown session.
  absl::Status ValidateSessionCleanup(CloudSessionId session) const;

  // Puts the live task `task` (spawned on `scheduler()`) into `session`, as
  // the seeds' `track_task_for_session` does: a task spawned outside of any
  // session joins it as one of its entry tasks; a task of another session
  // moves (it leaves the other session, and authorization it had through
  // wait-until ancestors there). Tasks it spawns later join `session` by
  // lineage. NotFoundError for an unknown session or a task that is not live
  // on this context's scheduler (finished, or spawned elsewhere). Spawning
  // inside `WithSession` does this automatically; this is for tasks spawned
  // before their session existed.
  absl::Status TrackTaskForSession(scheduler::TaskId task, CloudSessionId session);

  // Authorizes the live task `task` to outlive its session's response, as if
  // it had been registered with `WaitUntil` (the seeds'
  // `add_wait_until_task`): `ValidateSessionCleanup` accepts it and its live
  // descendants. The task must belong to a session already (spawned in one,
  // or TrackTaskForSession); NotFoundError otherwise. Unlike WaitUntil, the
  // context has no handle to the task, so `WaitUntilSettled` / `ServeRequest`
  // do not wait for it: the caller owns the Task.
  absl::Status AddWaitUntilTask(scheduler::TaskId task);
  // The seeds' two-argument form: TrackTaskForSession, then AddWaitUntilTask.
  absl::Status AddWaitUntilTask(CloudSessionId session, scheduler::TaskId task);

  // The session of a live task spawned through `scheduler()`, if it has one.
  std::optional<CloudSessionId> SessionOf(scheduler::TaskId task) const;
  // Live tasks of `session` (authorized or not), by id. NotFound if unknown.
  absl::StatusOr<std::vector<scheduler::TaskId>> LiveTasks(CloudSessionId session) const;
  // NotFound if unknown; otherwise whether the session's code called PassThrough().
  absl::StatusOr<bool> PassThroughRequested(CloudSessionId session) const;

  // Completes once every wait-until work of `session` (including work
  // registered while waiting) has finished. Returns OK, or one status naming
  // every failure with its WaitUntil call site (code of the first failure);
  // each failure also goes to `Options::on_wait_until_error` as it is seen.
  // NotFoundError if unknown. One
  // waiter per session: concurrent waiters split the work between them.
  scheduler::Future<absl::Status> WaitUntilSettled(CloudSessionId session);

  // Serves one request the way the platform would: a new session; the
  // handler spawned in it; cleanup validated as soon as the handler finished;
  // pass-through or a 500 if it threw; then waits for the session's
  // wait-until work. Await it (or spawn it) from outside any session.
  scheduler::Future<SimulatedRequestResult> ServeRequest(
      Request request, RequestHandler handler,
      std::source_location location = std::source_location::current());

  // --- PlatformRuntime ---
  const scheduler::ForegroundExecutor& executor() const override { return executor_; }

  // The observed scheduler. Build every Executor the worker uses from it.
  const std::shared_ptr<scheduler::Scheduler>& scheduler() const { return scheduler_; }

 protected:
  // Both resolve the caller's session like GetCurrentSession; outside of any
  // session they are fatal errors naming `location`.
  void DoWaitUntil(scheduler::Future<absl::Status> work, std::source_location location) override;
  void DoPassThrough(std::source_location location) override;
  scheduler::Future<void> DoDelay(scheduler::Duration delay,
                                  std::source_location location) override;

 private:
  struct PendingWork {
    scheduler::Task<absl::Status> task;
    std::source_location location;
  };

  // WithSession's untyped core.
  absl::Status RunInSession(CloudSessionId session, absl::FunctionRef<void()> fn);

  // The session the caller belongs to, or a fatal error naming `operation`.
  CloudSessionId RequireSession(const char* operation, std::source_location location) const;

  const OriginHandler origin_;
  const WaitUntilErrorReporter report_;
  const std::shared_ptr<internal::SessionTracker> tracker_;
  const std::shared_ptr<scheduler::Scheduler> scheduler_;
  const scheduler::ForegroundExecutor executor_;
  // Wait-until work not yet awaited by WaitUntilSettled, per session.
  absl::flat_hash_map<CloudSessionId, std::deque<PendingWork>> pending_;
};

}  // namespace cloud

#endif  // CLOUD_INTEGRATION_SIMULATED_EXECUTION_CONTEXT_H_
