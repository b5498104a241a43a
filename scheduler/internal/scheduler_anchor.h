// Internal: how a task reaches its scheduler without a weak_ptr per task.
//
// A task must be able to find its scheduler for as long as the task lives (a
// Waker may outlive the scheduler), yet must not keep the scheduler alive:
// destroying the scheduler's last owner cancels its pending tasks. A
// `std::weak_ptr<Scheduler>` in every task does both, but its copy and its
// destruction are atomic read-modify-writes on the scheduler's control block,
// one cache line shared by every task of the scheduler: a spawner on one core
// and a worker freeing finished tasks on another bounce it at every spawn.
//
// An anchor is the one small object per scheduler that tasks point at instead.
// It holds the scheduler's weak_ptr once, for the rare caller that must lock
// it (a wake-up from a thread the scheduler has not pinned; see
// `ScopedSchedulerPin`), and a reference count that keeps the anchor (not the
// scheduler) alive: one reference for the scheduler itself, one per task.
//
// REFERENCE CREDITS. Each thread keeps a batch of pre-taken references
// (credits) to one anchor, the last one it used. Taking a reference spends a
// credit; dropping one on a thread that caches the same anchor returns it as a
// credit. So the shared count is touched once per batch, not once per task,
// whichever thread spawns or frees. The shared count includes every thread's
// credits, so it reaches zero only after every task, the scheduler, and every
// thread's credits are gone; a thread gives its credits back when it moves to
// another anchor and when it exits. An anchor therefore outlives its scheduler
// by at most as long as some thread still caches it: one small object per
// thread at most, never one per task.
//
// LIVE TASKS. The anchor also keeps the registry through which `Shutdown`
// reaches detached tasks that nothing else can reach (a detached task
// suspended on a primitive nobody will signal is held only by its own Waker).
// It is a set of task addresses split into shards by address, each under its
// own mutex, so that tasks registering on different workers rarely meet. The
// entries hold no reference; who inserts and erases them, and why an entry
// always names a live core, is the task core's protocol ("LIVE TASKS" in
// task_core.h). The anchor only stores them.
#ifndef SCHEDULER_INTERNAL_SCHEDULER_ANCHOR_H_
#define SCHEDULER_INTERNAL_SCHEDULER_ANCHOR_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace scheduler {

class Scheduler;

namespace internal {

class TaskCoreBase;

// One shard of an anchor's live-task registry (LIVE TASKS).
struct alignas(64) LiveTaskShard {
  absl::Mutex mu;
  absl::flat_hash_set<TaskCoreBase*> tasks ABSL_GUARDED_BY(mu);
  // Set by the Shutdown sweep: registrations are refused from then on.
  bool closed ABSL_GUARDED_BY(mu) = false;
};

class SchedulerAnchor {
 public:
  // The anchor of `scheduler` (non-null), made on first use, with one
  // reference taken for the caller.
  static SchedulerAnchor* AcquireFor(const std::shared_ptr<Scheduler>& scheduler);

  SchedulerAnchor(const SchedulerAnchor&) = delete;
  SchedulerAnchor& operator=(const SchedulerAnchor&) = delete;

  // Takes and drops a reference (thread-safe; usually no atomic operation,
  // see REFERENCE CREDITS).
  void Acquire();
  void Release();

  // The scheduler's address: only for comparing with `PinnedScheduler()` and
  // for calls the caller knows to be safe (the scheduler pinned on this
  // thread, or a spawner holding a strong reference).
  Scheduler* raw() const { return raw_; }

  // The scheduler, or nullptr once its last owner is gone.
  std::shared_ptr<Scheduler> Lock() const { return weak_.lock(); }

  // Called by ~Scheduler: drops the scheduler's own reference.
  static void ReleaseFromScheduler(SchedulerAnchor* anchor);

  // Anchors alive in the process (for tests that check none is leaked).
  static int64_t LiveForTesting();

  // The live-task registry (LIVE TASKS): the shard that holds `task`, and
  // every shard, for the Shutdown sweep.
  static constexpr int kLiveTaskShards = 16;  // the top 4 bits of a hash
  LiveTaskShard& ShardFor(const TaskCoreBase* task) {
    // Fibonacci hashing: neighbouring blocks land in different shards.
    const uint64_t bits = reinterpret_cast<uintptr_t>(task) >> 4;
    return live_tasks_[(bits * 0x9E3779B97F4A7C15u) >> 60];
  }
  LiveTaskShard& shard(int i) { return live_tasks_[i]; }

 private:
  friend class AnchorCredits;
  explicit SchedulerAnchor(const std::shared_ptr<Scheduler>& scheduler);
  ~SchedulerAnchor();

  // Adds `n` references to the shared count, or removes them (freeing the
  // anchor when the count reaches zero).
  void AddShared(int64_t n) { refs_.fetch_add(n, std::memory_order_relaxed); }
  void SubShared(int64_t n);

  const std::weak_ptr<Scheduler> weak_;
  Scheduler* const raw_;
  // Written once per batch by any thread: kept off the line tasks read.
  alignas(64) std::atomic<int64_t> refs_;
  LiveTaskShard live_tasks_[kLiveTaskShards];
};

}  // namespace internal
}  // namespace scheduler

#endif  // SCHEDULER_INTERNAL_SCHEDULER_ANCHOR_H_
