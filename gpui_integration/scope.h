// Scope: spawn background tasks that borrow from the caller's frame.
//
//   std::vector<Result> results(shards.size());
//   co_await background.Scoped([&](gpui::Scope& scope) {
//     for (size_t i = 0; i < shards.size(); ++i) {
//       scope.Spawn([&, i]() -> Future<void> { results[i] = co_await Search(shards[i]); });
//     }
//   });
//   // every child has finished here; `results` is complete
//
// `BackgroundExecutor::Scoped(fn)` returns a Future that calls `fn(scope)`
// when it starts, then completes once every task spawned on the scope has
// finished (children may spawn more children on the same scope; those are
// awaited too). Children run in parallel on the background threads, so what
// they borrow must be safe to share as they use it.
//
// THE RULE THAT KEEPS BORROWS SAFE: no child frame outlives the scope. If
// the task awaiting `Scoped` is cancelled (its Task dropped, its scheduler
// shut down) the scope's destructor runs as part of that frame's destruction
// and, before the borrowed locals are destroyed:
//   1. stops accepting work (later `Spawn`s are cancelled at once),
//   2. cancels every child: idle and queued children have their frames
//      destroyed right there, on the cancelling thread,
//   3. waits until every child currently executing a step on another thread
//      finishes that step (the step ends by destroying the frame).
// So cancelling a scoped task may block the cancelling thread for at most one
// child step. Destroying a scope from inside one of its own children's steps
// could never finish and is a fatal error naming the scope.
//
// Errors: if children throw, `Scoped` still waits for all of them, then
// rethrows the first exception (in spawn order). If `fn` throws, the children
// it spawned are cancelled as above and the exception propagates.
//
// Thread-safety: `Spawn` may be called from `fn` and from the scope's
// children, on any thread. A Scope is neither copyable nor movable; it exists
// only inside `Scoped`.
#ifndef GPUI_INTEGRATION_SCOPE_H_
#define GPUI_INTEGRATION_SCOPE_H_

#include <deque>
#include <exception>
#include <memory>
#include <source_location>
#include <type_traits>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "gpui_integration/internal/scope_scheduler.h"
#include "scheduler/future.h"
#include "scheduler/ids.h"
#include "scheduler/scheduler.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"

namespace gpui {

class BackgroundExecutor;

// What `Scope::Spawn` accepts: a Future<void>, or a callable returning one.
template <typename F>
concept ScopedFuture = scheduler::Spawnable<F> && std::is_void_v<scheduler::SpawnResult<F>>;

class Scope {
 public:
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  ~Scope();

  // Starts `future` on the background threads as a child of this scope.
  template <ScopedFuture F>
  void Spawn(F&& future, std::source_location location = std::source_location::current()) {
    Add(std::nullopt, scheduler::internal::AsFuture(std::forward<F>(future)), location);
  }

  // Like Spawn, labeling the child's steps (see BackgroundExecutor::SpawnLabeled).
  template <ScopedFuture F>
  void SpawnLabeled(scheduler::TaskLabel label, F&& future,
                    std::source_location location = std::source_location::current()) {
    Add(label, scheduler::internal::AsFuture(std::forward<F>(future)), location);
  }

 private:
  friend class BackgroundExecutor;

  Scope(std::shared_ptr<scheduler::Scheduler> target, std::source_location location);

  // The body of `BackgroundExecutor::Scoped`. Owns `fn`, so its captures live
  // as long as the scope.
  template <typename Fn>
  static scheduler::Future<void> Run(std::shared_ptr<scheduler::Scheduler> target, Fn fn,
                                     std::source_location location) {
    Scope scope(std::move(target), location);
    fn(scope);
    co_await scope.JoinAll();
  }

  void Add(std::optional<scheduler::TaskLabel> label, scheduler::Future<void> body,
           std::source_location location);
  // Awaits every child, including those spawned meanwhile; then rethrows the
  // first child exception, if any.
  scheduler::Future<void> JoinAll();

  const std::shared_ptr<internal::ScopeScheduler> children_scheduler_;
  const std::source_location location_;
  absl::Mutex mu_;
  std::deque<scheduler::Task<void>> children_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gpui

#endif  // GPUI_INTEGRATION_SCOPE_H_
