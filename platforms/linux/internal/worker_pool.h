// Internal: the Linux dispatcher's worker threads for background runnables.
#ifndef PLATFORMS_LINUX_INTERNAL_WORKER_POOL_H_
#define PLATFORMS_LINUX_INTERNAL_WORKER_POOL_H_

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "scheduler/parker.h"
#include "scheduler/runnable.h"

namespace scheduler::dispatcher_internal {

// A fixed set of threads running runnables from one FIFO queue, plus, per
// worker, an optional LIFO slot for the runnable most recently scheduled by
// the task running on that worker (see "LIFO SLOT" in the .cc).
//
// Thread-safety: `Push` may be called from any thread; `Stop` and `Join` by
// the owner (the dispatcher), `Join` once and after `Stop`.
//
// Ownership: each worker thread holds a `shared_ptr` to the pool, so the pool
// outlives whoever drops the last dispatcher reference, even when that
// happens inside a step on a worker (see `Join`).
class WorkerPool : public std::enable_shared_from_this<WorkerPool> {
 public:
  // Starts `threads` (>= 1) workers named "<name>-<index>".
  static std::shared_ptr<WorkerPool> Start(int threads, bool lifo_slot, const char* name);

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();

  // Queues `runnable` and wakes one parked worker if there is one. Returns an
  // empty Runnable, or `runnable` itself after `Stop`: the caller drops it
  // outside its own locks, which cancels the task.
  [[nodiscard]] Runnable Push(Runnable runnable);

  // Refuses later pushes, moves every queued runnable to `drained` and makes
  // each worker exit once its current step (if any) returns.
  void Stop(std::vector<Runnable>& drained);

  // Waits for every worker to exit. A worker that calls it (the last
  // dispatcher reference was dropped inside its step) detaches itself instead
  // of joining itself; it exits right after that step.
  void Join();

  // True on this pool's worker threads.
  bool IsWorkerThread() const;
  int size() const { return static_cast<int>(workers_.size()); }

 private:
  struct Worker {
    Parker parker;           // where the worker sleeps when the queue is empty
    bool idle = false;       // listed in idle_; guarded by WorkerPool::mu_
    bool searching = false;  // counted in searching_; guarded by mu_
    // Touched only by the worker's own thread: no lock.
    Runnable lifo;
    int lifo_streak = 0;  // LIFO runs since the last FIFO pop
  };

  WorkerPool(int threads, bool lifo_slot);

  // Appends to the queue and unparks one idle worker if nobody searches.
  [[nodiscard]] Runnable PushShared(Runnable runnable);
  // Takes the most recently parked worker off idle_ (it becomes searching)
  // and returns its Unparker, for the caller to call after unlocking mu_.
  std::optional<Unparker> ChooseIdleLocked();

  void WorkerMain(int index);
  // The next runnable for worker `index`, sleeping while there is none;
  // empty once the pool is stopped.
  Runnable Next(int index);

  const bool lifo_slot_;
  std::vector<std::unique_ptr<Worker>> workers_;  // fixed after construction
  std::vector<std::thread> threads_;              // owner only (Start, Join)

  // A plain std::mutex: it is taken twice per runnable, and Debian's
  // absl::Mutex does deadlock-detection bookkeeping on every Lock, which made
  // it several times slower here. Critical sections are a few instructions.
  std::mutex mu_;
  std::deque<Runnable> queue_;  // guarded by mu_
  // Parked (or about to park) workers, most recently idle last.
  std::vector<int> idle_;  // guarded by mu_
  bool stopped_ = false;   // guarded by mu_
  int searching_ = 0;      // workers spinning or waking up; guarded by mu_
  // stopped_, readable without the lock (a worker skips its LIFO slot once
  // set). A hint only: a step may still start while Stop runs.
  std::atomic<bool> stopping_{false};
  // queue_.size(), readable without the lock by spinning workers. Only a hint:
  // decisions are taken under mu_.
  std::atomic<size_t> queued_hint_{0};
};

}  // namespace scheduler::dispatcher_internal

#endif  // PLATFORMS_LINUX_INTERNAL_WORKER_POOL_H_
