#include "scheduler/internal/driver_scheduler.h"

#include "scheduler/internal/task_core.h"
#include "scheduler/test_controls.h"

namespace scheduler::internal {

void DriverScheduler::DriveFromThread(Unparker unparker) {
  absl::MutexLock lock(&mu_);
  driver_ = std::move(unparker);
}

void DriverScheduler::StopDrivingFromThread() {
  absl::MutexLock lock(&mu_);
  if (std::holds_alternative<Unparker>(driver_)) driver_ = std::monostate();
}

bool DriverScheduler::DriveFromTask(Waker waker) {
  absl::MutexLock lock(&mu_);
  if (pending_) return false;
  driver_ = std::move(waker);
  return true;
}

bool DriverScheduler::RunPending() {
  Runnable runnable;
  {
    absl::MutexLock lock(&mu_);
    runnable = std::move(pending_);
  }
  if (!runnable) return false;
  // A dead target means the future is being torn down with its scheduler; nobody is left to tell.
  if (std::shared_ptr<Scheduler> target = target_.lock()) {
    if (TestControls* controls = target->GetTestControls()) {
      controls->OnDrivenStep(runnable.metadata());
    }
  }
  runnable.Run();
  return true;
}

void DriverScheduler::Schedule(Runnable runnable) {
  Unparker unparker;
  Waker waker;
  {
    absl::MutexLock lock(&mu_);
    // The driven task has at most one Runnable at a time (task_core.h).
    pending_ = std::move(runnable);
    if (auto* u = std::get_if<Unparker>(&driver_)) unparker = *u;
    if (auto* w = std::get_if<Waker>(&driver_)) {
      waker = std::move(*w);
      driver_ = std::monostate();
    }
  }
  unparker.Unpark();
  waker.Wake();
}

void DriverScheduler::ScheduleAfter(Duration, Runnable runnable) {
  FatalError("internal: a blocked future's own task never uses ScheduleAfter (" +
             DescribeTask(runnable.metadata()) + ")");
}

std::shared_ptr<Scheduler> DriverScheduler::Target() const {
  std::shared_ptr<Scheduler> target = target_.lock();
  if (target == nullptr) FatalError("a blocked future outlived its scheduler");
  return target;
}

bool DriverScheduler::Park(std::optional<Duration> timeout) { return Target()->Park(timeout); }
Unparker DriverScheduler::GetUnparker() { return Target()->GetUnparker(); }
bool DriverScheduler::IsMainThread() const { return Target()->IsMainThread(); }
Instant DriverScheduler::Now() const { return Target()->Now(); }
TaskId DriverScheduler::NextTaskId() { return Target()->NextTaskId(); }
std::shared_ptr<TaskObserver> DriverScheduler::GetTaskObserver() {
  return Target()->GetTaskObserver();
}

}  // namespace scheduler::internal
