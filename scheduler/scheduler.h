// Scheduler: the one interface every executor, dispatcher and test scheduler
// shares.
//
// A Scheduler decides *where* and *when* `Runnable`s run. It does not know
// about coroutines, results or cancellation: those live in `Task<T>` and the
// task core. Code above this layer (spawn helpers, `Executor`) turns futures
// into Runnables and hands them here.
//
// Only the four `Schedule*` methods are the Scheduler's own. The rest (clock,
// parking, main thread, task ids, exception sink, test controls, task
// observers) belongs to its `SchedulerContext` (scheduler_context.h), which a
// Scheduler is given at construction and may share: a scheduler that wraps
// another to change where Runnables go passes the wrapped one's context to
// its base and implements only the `Schedule*` methods it changes. The
// non-virtual shorthands below (`Now()`, `Park()`, ...) ask the context.
//
// Implementations: the platform dispatchers (platforms/platform_dispatcher.h)
// in production, `testing::TestScheduler` in tests, and internal wrappers
// (the driver behind `Block`, GPUI scopes). All of them pass the shared
// contract suite (platforms/tests/scheduler_contract.h).
//
// Thread-safety: every method may be called from any thread unless its comment
// says otherwise. Schedulers are held by `std::shared_ptr`; tasks do not keep
// them alive, so destroying the last owner destroys every pending task's frame
// (a Runnable scheduled after that is dropped, which cancels its task).
//
// Shutdown (the implementations' `Shutdown()`, which their destructors call):
// every task of the scheduler that has not finished is cancelled, its frame
// destroyed, its observers told (`OnTaskFinished`): queued and timed tasks,
// and every detached task that is suspended, whatever it awaits (an `Event`
// never set, a channel whose senders live on, a `Semaphore` never released,
// a `Select` over such channels, a wake-up another thread would still have
// sent), which may be held by nothing but its own Wakers (`CancelLiveTasks`
// below). Tasks spawned on a wrapper scheduler (a dedicated session, a GPUI
// scope, Block's driver) belong to the wrapper and are not part of this
// sweep. A task with a live `Task<T>` handle is left to
// its handle: cancelling or dropping it destroys the frame; detaching it
// after the shutdown cancels it. No step runs once `Shutdown` has returned.
#ifndef SCHEDULER_SCHEDULER_H_
#define SCHEDULER_SCHEDULER_H_

#include <atomic>
#include <exception>
#include <memory>
#include <optional>

#include "scheduler/duration.h"
#include "scheduler/ids.h"
#include "scheduler/parker.h"
#include "scheduler/runnable.h"
#include "scheduler/scheduler_context.h"
#include "scheduler/task_metadata.h"
#include "scheduler/task_observer.h"
#include "scheduler/test_controls.h"

namespace scheduler {

namespace internal {
class SchedulerAnchor;
class TaskCoreBase;
}  // namespace internal

class Scheduler {
 public:
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  virtual ~Scheduler();

  // --- Where and when Runnables run: the Scheduler's own. ---

  // Runs `runnable` soon on a background thread (any thread but, ideally, not
  // the main one).
  virtual void Schedule(Runnable runnable) = 0;

  // Like `Schedule`, with a label the TestScheduler can deprioritize. The
  // default ignores the label and calls `Schedule`.
  virtual void ScheduleLabeled(Runnable runnable, TaskLabel label);

  // Runs `runnable` on the main thread; runnables of one session run in the
  // order they were scheduled. The default implementation is for schedulers
  // without a main thread: it reports the task's spawn location and aborts.
  virtual void ScheduleForeground(Runnable runnable);

  // Schedules `runnable` (as `Schedule` or `ScheduleForeground` would, by its
  // metadata) once `delay` has elapsed on the context's clock. Negative delays
  // mean "now"; `Duration::max()` means "never" (the runnable is kept until
  // the scheduler is destroyed or shut down, then dropped, which cancels its
  // task).
  virtual void ScheduleAfter(Duration delay, Runnable runnable) = 0;

  // --- The context: shared with every scheduler that wraps this one. ---

  SchedulerContext& context() const { return *context_; }
  const std::shared_ptr<SchedulerContext>& shared_context() const { return context_; }

  // Shorthands for the context's methods (see scheduler_context.h).
  bool Park(std::optional<Duration> timeout) { return context_->Park(timeout); }
  Unparker GetUnparker() { return context_->GetUnparker(); }
  bool IsMainThread() const { return context_->IsMainThread(); }
  Instant Now() const { return context_->Now(); }
  TaskId NextTaskId() { return context_->NextTaskId(); }
  TestControls* GetTestControls() const { return context_->GetTestControls(); }
  void OnUnhandledException(const TaskMetadata& task, std::exception_ptr error) {
    context_->OnUnhandledException(task, std::move(error));
  }
  void AddTaskObserver(std::shared_ptr<TaskObserver> observer) {
    context_->AddTaskObserver(std::move(observer));
  }

 protected:
  // `context` must not be null. A wrapper passes the wrapped scheduler's
  // `shared_context()`.
  explicit Scheduler(std::shared_ptr<SchedulerContext> context);

  // For an implementation's `Shutdown`, once no step of this scheduler can
  // start any more (its queues are drained and its threads stopped): cancels
  // every detached task of this scheduler that has not finished and is
  // suspended (neither queued nor running), whatever it awaits, destroying
  // its frame on the calling thread; from then on, a
  // detached task that would be left that way is cancelled instead
  // (task_core.h, LIVE TASKS). Idempotent. Tasks spawned on a wrapper
  // scheduler belong to the wrapper, not to this one.
  void CancelLiveTasks();

 private:
  friend class internal::SchedulerAnchor;
  friend class internal::TaskCoreBase;

  // Called when a task whose Runnable this scheduler holds from
  // `ScheduleAfter` (not yet fired) is cancelled, on the cancelling thread.
  // An implementation that keeps timers in a structure takes the Runnable out
  // at once and drops it outside its locks, so cancelled timers cost no
  // memory; it must tolerate a task whose Runnable it no longer holds (fired,
  // or never held). The default does nothing: the Runnable stays until it
  // fires, then is dropped unrun.
  virtual void ReclaimCancelledTimer(internal::TaskCoreBase* task) { (void)task; }

  const std::shared_ptr<SchedulerContext> context_;

  // What this scheduler's tasks point at (scheduler_anchor.h); made by the
  // first spawn.
  std::atomic<internal::SchedulerAnchor*> anchor_{nullptr};
};

// The number of hardware threads, at least 1. Code that runs under a
// scheduler should ask it instead (`context().NumCpus()`,
// `Executor::NumCpus()`): the TestScheduler answers a fixed number.
int NumCpus();

}  // namespace scheduler

#endif  // SCHEDULER_SCHEDULER_H_
