// Internal: the scheduler behind `Block` and `BlockWithTimeout`.
//
// A blocked future runs as an ordinary task whose scheduler is a
// DriverScheduler. Its Runnables are not queued on the real scheduler: the
// DriverScheduler keeps them in FIFO order and pokes its *driver*, which runs
// them. First the driver is the blocking thread (poked through its Unparker);
// if the block times out, the driver becomes whatever task awaits the
// handed-back future (poked through that task's Waker). So the future keeps
// its frame, its progress and its wake-ups across the handover, and nothing
// is cancelled.
//
// It shares the real scheduler's context (clock, parker, ids, test controls,
// observers), and is a complete Scheduler: tasks spawned on it (foreground or
// background) run on the driver in FIFO order, and timers are armed on the
// real scheduler and delivered here when due. It runs the scheduler contract
// suite (platforms/tests/driver_contract_test.cc) but for what cannot hold
// for a driven scheduler: its background steps run on the driving (main)
// thread, and a Block on that thread could not drive it.
//
// Thread-safety: all methods are thread-safe; `RunPending` must be called by
// the current driver only.
#ifndef SCHEDULER_INTERNAL_DRIVER_SCHEDULER_H_
#define SCHEDULER_INTERNAL_DRIVER_SCHEDULER_H_

#include <deque>
#include <memory>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/scheduler.h"
#include "scheduler/waker.h"

namespace scheduler::internal {

class DriverScheduler final : public Scheduler,
                              public std::enable_shared_from_this<DriverScheduler> {
 public:
  // `target` must not be null; it is held weakly (its context strongly).
  explicit DriverScheduler(const std::shared_ptr<Scheduler>& target);
  ~DriverScheduler() override;

  // The blocking thread drives: pokes go to `unparker`.
  void DriveFromThread(Unparker unparker);
  // The blocking thread has given up (its block timed out): until a task
  // drives, a pending Runnable just waits, poking nobody (a poke would leave
  // that thread a stale Unparker token).
  void StopDrivingFromThread();
  // Registers `waker` to be woken once, when a Runnable is pending. Returns
  // false (registering nothing) if one is pending already.
  bool DriveFromTask(Waker waker);

  // Runs the oldest pending Runnable, if any. Returns whether one ran.
  bool RunPending();

  // Drops every pending Runnable (cancelling their tasks) and every later
  // one, on the spot. Idempotent.
  void Close();

  // --- Scheduler: every Runnable is queued for the driver. ---
  void Schedule(Runnable runnable) override;
  void ScheduleForeground(Runnable runnable) override { Schedule(std::move(runnable)); }
  void ScheduleAfter(Duration delay, Runnable runnable) override;

 private:
  const std::weak_ptr<Scheduler> target_;
  absl::Mutex mu_;
  std::deque<Runnable> pending_ ABSL_GUARDED_BY(mu_);
  std::variant<std::monostate, Unparker, Waker> driver_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace scheduler::internal

#endif  // SCHEDULER_INTERNAL_DRIVER_SCHEDULER_H_
