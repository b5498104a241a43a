// SchedulerContext: the world a Scheduler's tasks live in, apart from where
// their Runnables run.
//
// A Scheduler answers two kinds of question. "Where and when does this
// Runnable run?" is the Scheduler's own (`Schedule`, `ScheduleForeground`,
// ...). Everything else a task may ask (what time it is, how a thread waits,
// which thread is the main one, what id the next task gets, where an escaped
// exception goes, whether this is a test, who watches tasks come and go)
// belongs to the *context*. Schedulers that only change where Runnables go (a
// GPUI scope, the driver behind `Block`) share the context of the scheduler
// they wrap, so they see its clock, parker, ids and test controls without
// forwarding a single call.
//
// Implementations: `RealTimeContext` (real_time_context.h: the steady clock
// and real threads; every production dispatcher uses it) and the
// TestScheduler's own (a fake clock; parking runs other tasks).
//
// Thread-safety: every method may be called from any thread.
//
// Lifetime: held by `std::shared_ptr`, by each Scheduler using it. A context
// may outlive the scheduler that made it (a wrapper can hold it longer); the
// TestScheduler's reports a fatal error when used after its scheduler died.
#ifndef SCHEDULER_SCHEDULER_CONTEXT_H_
#define SCHEDULER_SCHEDULER_CONTEXT_H_

#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/duration.h"
#include "scheduler/ids.h"
#include "scheduler/parker.h"
#include "scheduler/task_metadata.h"
#include "scheduler/task_observer.h"
#include "scheduler/test_controls.h"

namespace scheduler {

class SchedulerContext {
 public:
  SchedulerContext() = default;
  SchedulerContext(const SchedulerContext&) = delete;
  SchedulerContext& operator=(const SchedulerContext&) = delete;
  virtual ~SchedulerContext();

  // Blocks the calling thread until its Unparker (`GetUnparker()` called on
  // the same thread) is unparked or `timeout` elapses. Returns true if
  // unparked. The TestScheduler runs other tasks instead of sleeping, and
  // treats a timeout as a budget of task steps.
  virtual bool Park(std::optional<Duration> timeout) = 0;

  // The Unparker that wakes the calling thread's `Park`.
  virtual Unparker GetUnparker() = 0;

  // True on the thread that runs foreground Runnables.
  virtual bool IsMainThread() const = 0;

  // The monotonic clock of every scheduler sharing this context (a fake
  // clock under the TestScheduler). Timers (`ScheduleAfter`) count on it.
  virtual Instant Now() const = 0;

  // Returns a fresh task id. The default draws from a process-wide counter
  // (unique, not ordered across threads); the TestScheduler numbers tasks
  // itself so that ids repeat per seed.
  virtual TaskId NextTaskId();

  // How many threads the code should plan for (sizes of worker pools,
  // batches). The default is the machine's (`scheduler::NumCpus()`); the
  // TestScheduler answers a fixed number (its config's `num_cpus`), so a seed
  // schedules the same on every machine.
  virtual int NumCpus() const;

  // False for a scheduler without a main thread (a plain thread pool, whose
  // foreground work is refused when scheduled): then `ForegroundExecutor`
  // skips its creation-time thread check.
  virtual bool HasMainThread() const { return true; }

  // Describes the main thread for misuse reports ("the thread that created
  // the TestScheduler at file:line"). The default names no site.
  virtual std::string DescribeMainThread() const { return "the scheduler's main thread"; }

  // Test-only controls, or nullptr (the default) in production.
  virtual TestControls* GetTestControls() { return nullptr; }

  // Receives exceptions that escaped detached tasks, on the thread that ran
  // the failing step. The default hands them to the process-wide handler
  // (unhandled_exception.h).
  virtual void OnUnhandledException(const TaskMetadata& task, std::exception_ptr error);

  // Adds an observer told about every task spawned afterwards on any
  // scheduler sharing this context (tasks already alive are not reported).
  // Observers are called in the order they were added; they must be
  // thread-safe (task_observer.h). There is no removal: an observer lives as
  // long as the context and the tasks it saw.
  void AddTaskObserver(std::shared_ptr<TaskObserver> observer);

  // The observers as one (a fan-out when there are several), or nullptr when
  // there are none. Each task keeps what it got at spawn time.
  std::shared_ptr<TaskObserver> task_observer() const {
    // Production contexts have none: then a spawn pays one load, no lock.
    if (!has_observer_.load(std::memory_order_acquire)) return nullptr;
    absl::MutexLock lock(&observer_mu_);
    return observer_;
  }

 private:
  std::atomic<bool> has_observer_{false};
  mutable absl::Mutex observer_mu_;
  std::vector<std::shared_ptr<TaskObserver>> observers_ ABSL_GUARDED_BY(observer_mu_);
  std::shared_ptr<TaskObserver> observer_ ABSL_GUARDED_BY(observer_mu_);
};

}  // namespace scheduler

#endif  // SCHEDULER_SCHEDULER_CONTEXT_H_
