// TaskObserver: lets a scheduler see every task's birth and death.
//
// Production schedulers have no observer (see `SchedulerContext::AddTaskObserver`)
// and pay nothing. The TestScheduler returns one, so it can list every
// pending task (including tasks suspended on a channel, which are in no queue)
// with its spawn location when a test gets stuck.
//
// The observer is held by `std::shared_ptr` in each task, so it may outlive
// its scheduler; it must be thread-safe (tasks finish on any thread).
#ifndef SCHEDULER_TASK_OBSERVER_H_
#define SCHEDULER_TASK_OBSERVER_H_

#include "scheduler/task_metadata.h"

namespace scheduler {

class TaskObserver {
 public:
  virtual ~TaskObserver() = default;
  // Called once, before the task's first step is scheduled.
  virtual void OnTaskSpawned(const TaskMetadata& task) = 0;
  // Called once, when the task completes or is cancelled.
  virtual void OnTaskFinished(const TaskMetadata& task) = 0;
};

}  // namespace scheduler

#endif  // SCHEDULER_TASK_OBSERVER_H_
