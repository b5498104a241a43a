// What a scheduler knows about a task: who it is, where it was spawned, and
// how it wants to be scheduled.
#ifndef SCHEDULER_TASK_METADATA_H_
#define SCHEDULER_TASK_METADATA_H_

#include <cstdint>
#include <optional>
#include <source_location>
#include <string>

#include "scheduler/ids.h"

namespace scheduler {

// How urgently a background task wants to run (Zed's `Priority`). A hint, not
// a guarantee: no priority starves another. What each scheduler does with it:
//   * Linux dispatcher: a worker takes queued high-priority work before its
//     own queue, but at most kMaxHighStreak (4) high picks in a row while
//     other work waits; low-priority work runs when a worker has nothing
//     else, and at least every 16th pick of a busy worker (the rule and its
//     proof are in platforms/linux/internal/worker_pool.cc, PRIORITIES).
//   * Windows and macOS dispatchers: ignored for now (every runnable goes to
//     the OS pool at its default priority, which is as fair as before).
//     Mapping it onto TP_CALLBACK_PRIORITY / GCD QoS classes is possible but
//     untested here (no wine run of it, no Apple GCD at all).
//   * TestScheduler (uniform random strategy): a seeded weighted pick among
//     the priority classes that have candidates, 60/30/10 for high/medium/low
//     (Zed's weights), then uniform within the class; so high runs first in
//     most seeds but not all. PCT and the chooser strategies ignore it (their
//     own order is the point). Foreground tasks count as medium.
// Deprioritized labels still run only when nothing else can, whatever their
// priority.
enum class Priority : uint8_t { kHigh, kMedium, kLow };

// "high", "medium", "low".
const char* PriorityName(Priority priority);

// Immutable description of a spawned task, carried by each of its `Runnable`s.
// Every spawned task holds one (48 bytes), so the optional ids are
// `OptionalId`s (std::optional's interface, 8 bytes each; ids.h).
// Schedulers use `label` and `session` to pick a queue; diagnostics print
// `location` so that a leaked or stuck task names the line that spawned it.
struct TaskMetadata {
  TaskId id;
  // Set for tasks spawned with `SpawnLabeled`.
  OptionalId<TaskLabel> label;
  // Set for foreground tasks: the `ForegroundExecutor` session they belong to.
  OptionalId<SessionId> session;
  // The task that was running on this thread when this one was spawned, if any.
  // Lets layers above (for example the Cloud session tracker) follow lineage.
  OptionalId<TaskId> parent;
  std::source_location location;
  // Set by `SpawnWithPriority`; see `Priority`.
  Priority priority = Priority::kMedium;

  bool is_foreground() const { return session.has_value(); }
};

// "file:line (function)" for diagnostics.
std::string FormatLocation(const std::source_location& location);

// "task#7 spawned at file:line (function) [label#2] [session#1]", plus
// " [high]" / " [low]" for a non-medium priority.
std::string DescribeTask(const TaskMetadata& metadata);

}  // namespace scheduler

#endif  // SCHEDULER_TASK_METADATA_H_
