// Internal: the Scheduler that a `Scope`'s children run on.
//
// WHY A PROXY. A scope's children borrow from the frame that created the
// scope, so when that frame is destroyed early (its task was cancelled) every
// child frame must be gone before the scope's destructor returns. Cancelling a
// child's Task is not enough: a child whose Runnable sits in the real
// scheduler's queue keeps its frame until that queue gets to it, which may be
// never (a TestScheduler nobody ticks) or only after the destructor returned.
// So children are spawned on this proxy, which keeps their Runnables itself
// and hands the real scheduler a small *pump* task per Runnable. Closing the
// proxy takes every queued child Runnable back, and dropping them destroys
// their frames on the spot.
//
// PROTOCOL (all under `mu_`):
//   * `Schedule*` stores the Runnable in `queued_` under a fresh slot number
//     and spawns a detached pump for that slot on the real scheduler, with the
//     child's label and spawn location (so Deprioritize and stuck-test reports
//     see the child). If the proxy is closed, or the real scheduler is gone,
//     the Runnable is dropped instead (after unlocking), cancelling the child.
//   * A pump takes its slot's Runnable out (if still there) and runs it inline,
//     as part of its own step; the nested step is the child's own (it sees
//     itself as the current task and its wake-ups come back here). A pump
//     destroyed without running (the real scheduler shut down) drops its
//     slot's Runnable, so no child waits for a pump that will never come.
//   * `Close` sets `closed_` and returns every queued Runnable to be dropped
//     by the caller, unlocked. No child step can *start* after that: a pump
//     either took its Runnable before `Close` (that step is running, and the
//     scope waits for it) or finds its slot empty.
//   * `live_children_` counts child frames: +1 when a child is created (its
//     `ChildToken`), -1 when its frame is destroyed, wherever that happens.
//     `WaitForChildFrames` waits for zero. Once Close has run and every child
//     Task is cancelled, a child frame can only still exist on another thread
//     that is, right now, either stepping it (the step ends by destroying the
//     frame: the child is cancelled or done) or handing its Runnable to this
//     proxy after a wake-up (rejected, so dropped at once). Either ends
//     promptly, so the wait is bounded by one step.
//   * If the waiting thread is itself inside a step of one of this scope's
//     children, the wait could never end: that is reported as a fatal error.
//
// Thread-safety: all methods are thread-safe.
#ifndef GPUI_INTEGRATION_INTERNAL_SCOPE_SCHEDULER_H_
#define GPUI_INTEGRATION_INTERNAL_SCOPE_SCHEDULER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <source_location>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "scheduler/duration.h"
#include "scheduler/future.h"
#include "scheduler/scheduler.h"
#include "scheduler/task.h"

namespace gpui::internal {

class ScopeScheduler final : public scheduler::Scheduler,
                             public std::enable_shared_from_this<ScopeScheduler> {
 public:
  // Keeps a frame counted as live for as long as it exists (move-only).
  class ChildToken {
   public:
    ChildToken(ChildToken&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
    ChildToken& operator=(ChildToken&&) = delete;
    ~ChildToken();

   private:
    friend class ScopeScheduler;
    explicit ChildToken(std::shared_ptr<ScopeScheduler> owner);
    std::shared_ptr<ScopeScheduler> owner_;
  };

  // `target` must not be null; it is held weakly (its context strongly:
  // children see its clock, task ids, observers and test controls).
  explicit ScopeScheduler(const std::shared_ptr<scheduler::Scheduler>& target)
      : Scheduler(target->shared_context()), target_(target) {}

  // Counts a new child frame; the token must live inside that frame.
  ChildToken NewChild();

  // Rejects every later Runnable and returns the queued ones; the caller drops
  // them after releasing its own locks.
  std::vector<scheduler::Runnable> Close();

  // Blocks until every child frame is destroyed (see the file comment).
  // `scope_location` names the scope in the fatal self-wait report.
  void WaitForChildFrames(std::source_location scope_location);

  // --- Scheduler: children's Runnables come here, each run by a pump task on
  // the real scheduler (see the file comment). ---
  void Schedule(scheduler::Runnable runnable) override;
  void ScheduleLabeled(scheduler::Runnable runnable, scheduler::TaskLabel label) override;
  // A pump spawned in the child's session, on the real main thread.
  void ScheduleForeground(scheduler::Runnable runnable) override;
  // The child waits in its slot; its pump waits for a timer on the real
  // scheduler, so closing the scope still takes the child back at once.
  void ScheduleAfter(scheduler::Duration delay, scheduler::Runnable runnable) override;

 private:
  // A pump's claim on one slot; dropping an unused ticket drops the slot's
  // Runnable (cancelling that child).
  class PumpTicket {
   public:
    PumpTicket(std::shared_ptr<ScopeScheduler> owner, uint64_t slot)
        : owner_(std::move(owner)), slot_(slot) {}
    PumpTicket(PumpTicket&& other) noexcept
        : owner_(std::move(other.owner_)), slot_(other.slot_), used_(other.used_) {}
    PumpTicket& operator=(PumpTicket&&) = delete;
    ~PumpTicket();
    // Runs the slot's Runnable, if it is still queued.
    void Run();
    ScopeScheduler* owner() const { return owner_.get(); }

   private:
    std::shared_ptr<ScopeScheduler> owner_;
    uint64_t slot_;
    bool used_ = false;
  };

  void Enqueue(scheduler::Runnable runnable, scheduler::Duration delay);
  scheduler::Runnable TakeSlot(uint64_t slot);
  static scheduler::Future<void> Pump(PumpTicket ticket,
                                      std::optional<scheduler::Task<void>> timer);
  bool RunningChildOnThisThread() const;

  const std::weak_ptr<scheduler::Scheduler> target_;
  absl::Mutex mu_;
  // Ordered by slot, so a drain drops frames in a deterministic order.
  std::map<uint64_t, scheduler::Runnable> queued_ ABSL_GUARDED_BY(mu_);
  uint64_t next_slot_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t live_children_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gpui::internal

#endif  // GPUI_INTEGRATION_INTERNAL_SCOPE_SCHEDULER_H_
