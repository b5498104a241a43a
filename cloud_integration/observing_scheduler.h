// ObservingScheduler: a Scheduler decorator that adds a TaskObserver.
//
// `Scheduler::GetTaskObserver()` returns one observer, and the TestScheduler
// already uses it for its own registry of live tasks. To see every task's
// birth and death as well (the Cloud session tracker needs that, and so does
// the simulation's trace), wrap the scheduler: tasks spawned through the
// wrapper are reported to the added observer first, then to the inner
// scheduler's own observer, so the inner one keeps working unchanged.
//
// Every other call is forwarded, including `GetTestControls()` (so
// `Executor::Tick`, `SimulateRandomDelay`, ... still reach a TestScheduler)
// and `OnUnhandledException`. Runnables go to the inner scheduler untouched:
// the decorator changes what is observed, never when or where a task runs.
//
// Only tasks spawned through the wrapper (an Executor, ForegroundExecutor or
// spawn helper built on it) are observed; tasks spawned directly on the inner
// scheduler are not. Decorators stack.
//
// Thread-safety: as thread-safe as the inner scheduler and the observer (which
// must be thread-safe, see task_observer.h). Tasks hold their scheduler
// weakly, so keep the wrapper alive as long as its tasks may be scheduled.
#ifndef CLOUD_INTEGRATION_OBSERVING_SCHEDULER_H_
#define CLOUD_INTEGRATION_OBSERVING_SCHEDULER_H_

#include <exception>
#include <memory>
#include <optional>

#include "scheduler/scheduler.h"

namespace cloud {

class ObservingScheduler final : public scheduler::Scheduler {
 public:
  // Neither argument may be null. The inner scheduler's observer is read
  // once, here: schedulers return the same observer for their whole life.
  ObservingScheduler(std::shared_ptr<scheduler::Scheduler> inner,
                     std::shared_ptr<scheduler::TaskObserver> observer);

  void Schedule(scheduler::Runnable runnable) override;
  void ScheduleLabeled(scheduler::Runnable runnable, scheduler::TaskLabel label) override;
  void ScheduleForeground(scheduler::Runnable runnable) override;
  void ScheduleAfter(scheduler::Duration delay, scheduler::Runnable runnable) override;
  bool Park(std::optional<scheduler::Duration> timeout) override;
  scheduler::Unparker GetUnparker() override;
  bool IsMainThread() const override;
  scheduler::Instant Now() const override;
  scheduler::TaskId NextTaskId() override;
  std::shared_ptr<scheduler::TaskObserver> GetTaskObserver() override { return observer_; }
  scheduler::TestControls* GetTestControls() override;
  void OnUnhandledException(const scheduler::TaskMetadata& task, std::exception_ptr error) override;

  const std::shared_ptr<scheduler::Scheduler>& inner() const { return inner_; }

 private:
  const std::shared_ptr<scheduler::Scheduler> inner_;
  // The added observer alone, or a fan-out to it and the inner one.
  const std::shared_ptr<scheduler::TaskObserver> observer_;
};

}  // namespace cloud

#endif  // CLOUD_INTEGRATION_OBSERVING_SCHEDULER_H_
