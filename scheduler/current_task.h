// CurrentTaskMetadata: which task is running on this thread, if any.
//
// Layers above the core use it to attribute work to the task that caused it:
// the Cloud session tracker follows lineage through it, and diagnostics name
// the running task. Returns nullptr outside of a task step. The pointer is
// valid until the step returns.
#ifndef SCHEDULER_CURRENT_TASK_H_
#define SCHEDULER_CURRENT_TASK_H_

#include "scheduler/task_metadata.h"

namespace scheduler {

const TaskMetadata* CurrentTaskMetadata();

}  // namespace scheduler

#endif  // SCHEDULER_CURRENT_TASK_H_
