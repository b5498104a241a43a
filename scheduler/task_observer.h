// TaskObserver: lets a scheduler see every task's birth and death.
//
// Production schedulers have no observer (see `SchedulerContext::AddTaskObserver`)
// and pay nothing. The TestScheduler returns one, so it can list every
// pending task (including tasks suspended on a channel, which are in no queue)
// with its spawn location when a test gets stuck.
//
// Waker events cost a production task nothing more than a null check.
//
// The observer is held by `std::shared_ptr` in each task, so it may outlive
// its scheduler; it must be thread-safe (tasks finish on any thread).
#ifndef SCHEDULER_TASK_OBSERVER_H_
#define SCHEDULER_TASK_OBSERVER_H_

#include "scheduler/task_metadata.h"

namespace scheduler {

// What happened to a task's Waker, for `TaskObserver::OnWakerEvent`.
enum class WakerEvent { kWoken, kDropped };

class TaskObserver {
 public:
  virtual ~TaskObserver() = default;
  // Called once, before the task's first step is scheduled.
  virtual void OnTaskSpawned(const TaskMetadata& task) = 0;
  // Called once, when the task completes or is cancelled.
  virtual void OnTaskFinished(const TaskMetadata& task) = 0;
  // Called when a Waker of the task is woken or destroyed (copies included,
  // whether or not the wake schedules anything) on a thread that has not
  // exempted itself with `internal::WakerEventsExemption` (task_core.h). The
  // TestScheduler exempts the thread that drives it and reports the others as
  // non-determinism. On the waking thread; must be thread-safe.
  virtual void OnWakerEvent(const TaskMetadata& task, WakerEvent event) {
    (void)task;
    (void)event;
  }
};

}  // namespace scheduler

#endif  // SCHEDULER_TASK_OBSERVER_H_
