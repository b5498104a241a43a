// What a scheduler knows about a task: who it is, where it was spawned, and
// how it wants to be scheduled.
#ifndef SCHEDULER_TASK_METADATA_H_
#define SCHEDULER_TASK_METADATA_H_

#include <optional>
#include <source_location>
#include <string>

#include "scheduler/ids.h"

namespace scheduler {

// Immutable description of a spawned task, carried by each of its `Runnable`s.
// Schedulers use `label` and `session` to pick a queue; diagnostics print
// `location` so that a leaked or stuck task names the line that spawned it.
struct TaskMetadata {
  TaskId id;
  // Set for tasks spawned with `SpawnLabeled`.
  std::optional<TaskLabel> label;
  // Set for foreground tasks: the `ForegroundExecutor` session they belong to.
  std::optional<SessionId> session;
  // The task that was running on this thread when this one was spawned, if any.
  // Lets layers above (for example the Cloud session tracker) follow lineage.
  std::optional<TaskId> parent;
  std::source_location location;

  bool is_foreground() const { return session.has_value(); }
};

// "file:line (function)" for diagnostics.
std::string FormatLocation(const std::source_location& location);

// "task#7 spawned at file:line (function) [label#2] [session#1]".
std::string DescribeTask(const TaskMetadata& metadata);

}  // namespace scheduler

#endif  // SCHEDULER_TASK_METADATA_H_
