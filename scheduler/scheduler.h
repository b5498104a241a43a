// Scheduler: the one interface every executor, dispatcher and test scheduler
// shares.
//
// A Scheduler decides *where* and *when* `Runnable`s run. It does not know
// about coroutines, results or cancellation: those live in `Task<T>` and the
// task core. Code above this layer (spawn helpers, `Executor`) turns futures
// into Runnables and hands them here.
//
// Implementations: `platforms::LinuxDispatcher` (and its Windows/macOS
// siblings) in production, `testing::TestScheduler` in tests.
//
// Thread-safety: every method may be called from any thread unless its comment
// says otherwise. Schedulers are held by `std::shared_ptr`; tasks do not keep
// them alive, so destroying the last owner destroys every pending task's frame
// (a Runnable scheduled after that is dropped, which cancels its task).
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
  Scheduler() = default;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  virtual ~Scheduler();

  // Runs `runnable` soon on a background thread (any thread but, ideally, not
  // the main one).
  virtual void Schedule(Runnable runnable) = 0;

  // Like `Schedule`, with a label the TestScheduler can deprioritize.
  // Production schedulers ignore the label.
  virtual void ScheduleLabeled(Runnable runnable, TaskLabel label);

  // Runs `runnable` on the main thread; runnables of one session run in the
  // order they were scheduled. The default implementation is for schedulers
  // without a main thread: it reports the task's spawn location and aborts.
  virtual void ScheduleForeground(Runnable runnable);

  // Schedules `runnable` (via `Schedule` or `ScheduleForeground`, by its
  // metadata) once `delay` has elapsed on this scheduler's clock. Negative
  // delays mean "now"; `Duration::max()` means "never" (the runnable is kept
  // until the scheduler is destroyed, then dropped, which cancels its task).
  virtual void ScheduleAfter(Duration delay, Runnable runnable) = 0;

  // Blocks the calling thread until its Unparker (`GetUnparker()` called on
  // the same thread) is unparked or `timeout` elapses. Returns true if
  // unparked. The TestScheduler runs other tasks instead of sleeping, and
  // treats a timeout as a budget of task steps.
  virtual bool Park(std::optional<Duration> timeout) = 0;

  // The Unparker that wakes the calling thread's `Park`.
  virtual Unparker GetUnparker() = 0;

  // True on the thread that runs foreground Runnables.
  virtual bool IsMainThread() const = 0;

  // This scheduler's monotonic clock (a fake clock under the TestScheduler).
  virtual Instant Now() const = 0;

  // Returns a fresh task id. The default draws from a process-wide counter;
  // the TestScheduler numbers tasks per scheduler so ids repeat per seed.
  virtual TaskId NextTaskId();

  // An observer told about every task spawned on this scheduler, or nullptr
  // (the default: nothing is tracked). Called once per spawn.
  virtual std::shared_ptr<TaskObserver> GetTaskObserver() { return nullptr; }

  // Test-only controls, or nullptr for production schedulers.
  virtual TestControls* GetTestControls() { return nullptr; }

  // Receives exceptions that escaped detached tasks (see
  // unhandled_exception.h). Called on the thread that ran the failing step.
  virtual void OnUnhandledException(const TaskMetadata& task, std::exception_ptr error);

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

  // What this scheduler's tasks point at (scheduler_anchor.h); made by the
  // first spawn.
  std::atomic<internal::SchedulerAnchor*> anchor_{nullptr};
};

// The number of hardware threads, at least 1.
int NumCpus();

}  // namespace scheduler

#endif  // SCHEDULER_SCHEDULER_H_
