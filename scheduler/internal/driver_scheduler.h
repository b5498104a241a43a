// Internal: the scheduler behind `Block` and `BlockWithTimeout`.
//
// A blocked future runs as an ordinary task whose scheduler is a
// DriverScheduler. Its Runnables are not queued anywhere: the DriverScheduler
// keeps the single pending one and pokes its *driver*, which runs it. First
// the driver is the blocking thread (poked through its Unparker); if the block
// times out, the driver becomes whatever task awaits the handed-back future
// (poked through that task's Waker). So the future keeps its frame, its
// progress and its wake-ups across the handover, and nothing is cancelled.
//
// Thread-safety: all methods are thread-safe; `RunPending` must be called by
// the current driver only.
#ifndef SCHEDULER_INTERNAL_DRIVER_SCHEDULER_H_
#define SCHEDULER_INTERNAL_DRIVER_SCHEDULER_H_

#include <memory>
#include <variant>

#include "absl/synchronization/mutex.h"
#include "scheduler/scheduler.h"
#include "scheduler/waker.h"

namespace scheduler::internal {

class DriverScheduler final : public Scheduler {
 public:
  explicit DriverScheduler(std::weak_ptr<Scheduler> target) : target_(std::move(target)) {}

  // The blocking thread drives: pokes go to `unparker`.
  void DriveFromThread(Unparker unparker);
  // The blocking thread has given up (its block timed out): until a task
  // drives, a pending Runnable just waits, poking nobody (a poke would leave
  // that thread a stale Unparker token).
  void StopDrivingFromThread();
  // Registers `waker` to be woken once, when a Runnable is pending. Returns
  // false (registering nothing) if one is pending already.
  bool DriveFromTask(Waker waker);

  // Runs the pending Runnable, if any. Returns whether one ran.
  bool RunPending();

  void Schedule(Runnable runnable) override;
  void ScheduleForeground(Runnable runnable) override { Schedule(std::move(runnable)); }
  void ScheduleAfter(Duration delay, Runnable runnable) override;
  bool Park(std::optional<Duration> timeout) override;
  Unparker GetUnparker() override;
  bool IsMainThread() const override;
  Instant Now() const override;
  TaskId NextTaskId() override;
  std::shared_ptr<TaskObserver> GetTaskObserver() override;

 private:
  std::shared_ptr<Scheduler> Target() const;

  const std::weak_ptr<Scheduler> target_;
  absl::Mutex mu_;
  Runnable pending_ ABSL_GUARDED_BY(mu_);
  std::variant<std::monostate, Unparker, Waker> driver_ ABSL_GUARDED_BY(mu_);
};

}  // namespace scheduler::internal

#endif  // SCHEDULER_INTERNAL_DRIVER_SCHEDULER_H_
