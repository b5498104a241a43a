// TaskCancelledError: what awaiting a cancelled task throws.
#ifndef SCHEDULER_TASK_CANCELLED_ERROR_H_
#define SCHEDULER_TASK_CANCELLED_ERROR_H_

#include <stdexcept>

namespace scheduler {

// Thrown by `co_await task` (and `Block`) when the task was cancelled before
// it finished, for example because its scheduler was shut down with the task
// still pending. `what()` names the task and its spawn location. A timer is
// a task too: awaiting a cancelled one throws it.
class TaskCancelledError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace scheduler

#endif  // SCHEDULER_TASK_CANCELLED_ERROR_H_
