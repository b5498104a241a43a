#include "scheduler/internal/driver_scheduler.h"

#include <utility>

#include "scheduler/internal/task_core.h"
#include "scheduler/spawn.h"
#include "scheduler/test_controls.h"

namespace scheduler::internal {
namespace {

// Hands `runnable` to the driver once `timer` fires. Holds nothing strongly
// but the timer's Task: a frame on the real scheduler that kept it alive would
// keep itself alive.
Future<void> DeliverWhenDue(Task<void> timer, std::weak_ptr<DriverScheduler> driver,
                            Runnable runnable) {
  co_await std::move(timer);
  if (std::shared_ptr<DriverScheduler> alive = driver.lock()) alive->Schedule(std::move(runnable));
}

}  // namespace

DriverScheduler::DriverScheduler(const std::shared_ptr<Scheduler>& target)
    : Scheduler(target->shared_context()), target_(target) {}

DriverScheduler::~DriverScheduler() { Close(); }

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
  if (!pending_.empty()) return false;
  driver_ = std::move(waker);
  return true;
}

bool DriverScheduler::RunPending() {
  Runnable runnable;
  Unparker again;
  {
    absl::MutexLock lock(&mu_);
    if (pending_.empty()) return false;
    runnable = std::move(pending_.front());
    pending_.pop_front();
    // The driving thread parks after each step, and pokes coalesce into one
    // token: poke again for the ones still waiting, or they would sleep.
    if (!pending_.empty()) {
      if (auto* u = std::get_if<Unparker>(&driver_)) again = *u;
    }
  }
  again.Unpark();
  if (TestControls* controls = GetTestControls()) controls->OnDrivenStep(runnable.metadata());
  runnable.Run();
  return true;
}

void DriverScheduler::Close() {
  std::deque<Runnable> doomed;
  std::variant<std::monostate, Unparker, Waker> old_driver;
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    doomed.swap(pending_);
    old_driver.swap(driver_);
  }
  // Both dropped unlocked: destroying a frame (or a Waker's last reference)
  // may schedule more here, which is refused.
}

void DriverScheduler::Schedule(Runnable runnable) {
  Unparker unparker;
  Waker waker;
  {
    absl::MutexLock lock(&mu_);
    if (!closed_) {
      pending_.push_back(std::move(runnable));
      if (auto* u = std::get_if<Unparker>(&driver_)) unparker = *u;
      if (auto* w = std::get_if<Waker>(&driver_)) {
        waker = std::move(*w);
        driver_ = std::monostate();
      }
    }
  }
  // A refused `runnable` is dropped here, unlocked.
  unparker.Unpark();
  waker.Wake();
}

void DriverScheduler::ScheduleAfter(Duration delay, Runnable runnable) {
  if (delay <= Duration::zero()) {
    Schedule(std::move(runnable));
    return;
  }
  std::shared_ptr<Scheduler> target = target_.lock();
  // Without the real scheduler no timer can fire: dropping cancels the task.
  if (target == nullptr) return;
  Spawn(target, DeliverWhenDue(Timer(target, delay), weak_from_this(), std::move(runnable)))
      .Detach();
}

}  // namespace scheduler::internal
