#include "scheduler/spawn.h"

namespace scheduler {
namespace internal {

TaskMetadata MakeMetadata(Scheduler& scheduler, std::optional<TaskLabel> label,
                          std::optional<SessionId> session, std::source_location location) {
  TaskMetadata metadata;
  metadata.id = scheduler.NextTaskId();
  metadata.label = label;
  metadata.session = session;
  if (TaskCoreBase* parent = CurrentTask()) metadata.parent = parent->metadata().id;
  metadata.location = location;
  return metadata;
}

}  // namespace internal

Task<void> Timer(const std::shared_ptr<Scheduler>& scheduler, Duration delay,
                 std::source_location location) {
  if (scheduler == nullptr) internal::FatalError("Timer with a null scheduler");
  // A frameless core: its only step completes it, and that step is scheduled
  // with ScheduleAfter (cancelling it takes the Runnable out of the timer
  // structure; see TIMERS in task_core.h). A delay <= 0 is due now: the step
  // runs here, so the Task is ready at once (as in the seeds), without a trip
  // through the scheduler.
  auto* core = internal::TaskCore<void>::Frameless(
      scheduler, internal::ScheduleMode::kBackground,
      internal::MakeMetadata(*scheduler, std::nullopt, std::nullopt, location));
  Task<void> task = internal::TaskAccess::Wrap(core);
  if (delay <= Duration::zero()) {
    core->StartCompleted();
  } else {
    core->StartAfter(delay);
  }
  return task;
}

}  // namespace scheduler
