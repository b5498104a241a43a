// Internal: the Linux dispatcher's work-stealing worker pool, which also
// fires the dispatcher's timers.
#ifndef PLATFORMS_LINUX_INTERNAL_WORKER_POOL_H_
#define PLATFORMS_LINUX_INTERNAL_WORKER_POOL_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "platforms/linux/internal/futex_parker.h"
#include "platforms/linux/internal/injector.h"
#include "platforms/linux/internal/local_queue.h"
#include "scheduler/duration.h"
#include "scheduler/internal/timer_heap.h"
#include "scheduler/runnable.h"
#include "scheduler/scheduler.h"

namespace scheduler::dispatcher_internal {

// A fixed set of worker threads running background Runnables, with one
// bounded local queue per worker (stolen from by idle workers), a LIFO slot
// per worker, a shared injector for Runnables from other threads, and the
// dispatcher's timer heap, which the workers fire themselves. The protocols
// (wake-ups, fairness, timers, shutdown) are written down in the .cc.
//
// Thread-safety: Push/AddTimer/CancelTimer from any thread; Stop and Join by
// the owner (the dispatcher), Join once and after Stop.
//
// Ownership: each worker thread holds a shared_ptr to the pool, so the pool
// outlives whoever drops the last dispatcher reference, even inside a step on
// a worker (see Join).
class WorkerPool : public std::enable_shared_from_this<WorkerPool> {
 public:
  struct Options {
    int threads = 1;
    // Run a task woken or spawned by the running task next on the same
    // worker (see LIFO SLOT in the .cc).
    bool lifo_slot = true;
    // Receives due foreground timers; returns the Runnable back if refused.
    std::function<Runnable(Runnable)> foreground;
    // The dispatcher, pinned on each worker during its steps (dispatcher_step.h),
    // which guarantees it outlives every step.
    const Scheduler* pin = nullptr;
    const char* name = "dispatch";
  };

  static std::shared_ptr<WorkerPool> Start(Options options);

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();

  // Queues `runnable` (see LIFO SLOT and WAKE-UPS). Returns an empty Runnable,
  // or `runnable` itself after Stop: the caller drops it outside its locks.
  [[nodiscard]] Runnable Push(Runnable runnable);

  // Arms a timer firing at `deadline` (foreground runnables go to the
  // `foreground` callback when due). Returns `runnable` itself after Stop.
  [[nodiscard]] Runnable AddTimer(Instant deadline, Runnable runnable);

  // Takes `task`'s timer out of the heap if it is still armed; the caller
  // drops the returned Runnable after unlocking anything it holds.
  [[nodiscard]] Runnable CancelTimer(internal::TaskCoreBase* task);

  // Refuses later pushes and timers, moves every queued or armed Runnable it
  // can reach to `drained`, and makes each worker exit once its current step
  // returns (a worker's own queue is drained into the pool's leftovers, which
  // Join hands over).
  void Stop(std::vector<Runnable>& drained);

  // Waits for every worker to exit, then moves what the workers left to
  // `drained`. A worker that calls it (the last dispatcher reference was
  // dropped inside its step) detaches itself instead of joining itself.
  void Join(std::vector<Runnable>& drained);

  bool IsWorkerThread() const;
  size_t armed_timers();
  int size() const { return static_cast<int>(workers_.size()); }

 private:
  struct Worker;
  explicit WorkerPool(Options options);

  void WorkerMain(int index);
  // The next task for `self`, or nullptr when the pool stops.
  internal::TaskCoreBase* Next(Worker& self);
  // High- or low-priority work due at this pick (see PRIORITIES), if any.
  internal::TaskCoreBase* NextPrioritized(Worker& self);
  internal::TaskCoreBase* PopOne(Injector& queue);
  // A fired timer from due_, unless the streak bound says otherwise (see
  // FAIRNESS).
  internal::TaskCoreBase* NextDue(Worker& self);
  internal::TaskCoreBase* NextLocal(Worker& self);
  internal::TaskCoreBase* NextFromInjector(Worker& self);
  internal::TaskCoreBase* Search(Worker& self);
  void PushLocal(Worker& self, internal::TaskCoreBase* task, bool notify = true);
  void PushRemote(internal::TaskCoreBase* task);
  // Queues a high- or low-priority task in its shared queue and wakes a
  // worker; false (the caller keeps it) after Stop.
  bool PushPrioritized(internal::TaskCoreBase* task);
  // Fires due timers (medium-priority background ones into due_); true if
  // any went to due_.
  bool FireDueTimers(Worker* self);
  void Park(Worker& self);
  bool WorkPending() const;

  // Idle coordination (see WAKE-UPS).
  void NotifyOne();
  uint32_t ReadIdleStateAfterPush();
  bool TransitionToSearching(Worker& self);
  void TransitionFromSearching(Worker& self);
  void ExitWorker(Worker& self);

  const Options options_;
  std::vector<std::unique_ptr<Worker>> workers_;  // fixed after construction
  std::vector<std::thread> threads_;              // owner only
  Injector injector_;
  // High- and low-priority runnables, pool-wide (see PRIORITIES). Aligned so
  // that the injector's traffic does not bounce their lines: a worker reads
  // their size hints at every pick.
  alignas(64) Injector high_;
  // Fired medium-priority timers, in deadline order, taken first (see TIMERS).
  alignas(64) Injector due_;
  alignas(64) Injector low_;
  // How many runnables high_ and low_ hold (a hint: raised before a push,
  // lowered after a pop), so that a pick looks at them only when non-zero.
  alignas(64) std::atomic<uint32_t> prioritized_{0};
  std::atomic<bool> stopped_{false};

  // (unparked workers << 16) | searching workers.
  std::atomic<uint32_t> idle_state_;
  std::mutex sleepers_mu_;
  std::vector<int> sleepers_;  // guarded by sleepers_mu_

  std::mutex timers_mu_;
  internal::TimerHeap timers_;  // guarded by timers_mu_
  // timers_.earliest() in steady_clock nanoseconds, readable without the lock.
  std::atomic<int64_t> earliest_timer_ns_;
  int timer_sleeper_ = -1;       // guarded by timers_mu_ (see TIMERS)
  Instant timer_sleeper_until_;  // guarded by timers_mu_
  bool timers_stopped_ = false;  // guarded by timers_mu_

  std::mutex leftovers_mu_;
  std::vector<Runnable> leftovers_;  // guarded by leftovers_mu_
};

}  // namespace scheduler::dispatcher_internal

#endif  // PLATFORMS_LINUX_INTERNAL_WORKER_POOL_H_
