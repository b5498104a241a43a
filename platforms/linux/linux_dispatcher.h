// LinuxDispatcher: the production Scheduler on Linux (and any POSIX system
// with std::thread).
//
//   std::shared_ptr<LinuxDispatcher> dispatcher = LinuxDispatcher::Create();
//
// Most code gets it through `CreatePlatformDispatcher()` (platform_dispatcher.h)
// and should not name this class.
//
// Threads: `worker_threads` workers run background runnables from a
// work-stealing pool (a bounded local queue per worker, a shared injector for
// runnables from other threads) and fire `ScheduleAfter` timers themselves;
// the thread that called `Create` is the main thread and runs foreground
// runnables, in FIFO order, inside `RunMainLoop`. There is no timer thread. No
// thread outlives `Shutdown()` (or the last reference), except in one case:
// when the last reference is dropped inside a step on a worker, that worker
// cannot join itself, so it is detached and exits as soon as the step
// returns (the dispatcher's memory is freed then too).
//
// Costs: a runnable scheduled from a worker goes to that worker's own queue
// (no lock); from another thread, to the injector (one short lock). A push
// makes a system call only to wake a parked worker, and only when no worker
// is already searching for work, so a burst wakes workers one at a time. A
// task woken or spawned by the task running on a worker runs next on that
// worker (a tokio-style LIFO slot; see `lifo_slot`). Foreground pushes signal
// the main thread only while it sleeps. Timers cost O(log n) to arm, fire or
// cancel; a cancelled timer leaves the heap at once. The protocols are
// written down in internal/worker_pool.cc.
//
// Misuse (fatal, with a message): `RunMainLoop` off the main thread or
// re-entered from a step; `Shutdown` called explicitly from a worker thread or
// from inside a task step.
#ifndef PLATFORMS_LINUX_LINUX_DISPATCHER_H_
#define PLATFORMS_LINUX_LINUX_DISPATCHER_H_

#include <atomic>
#include <memory>
#include <optional>
#include <source_location>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "platforms/linux/internal/graveyard.h"
#include "platforms/linux/internal/main_loop.h"
#include "platforms/linux/internal/worker_pool.h"
#include "platforms/platform_dispatcher.h"

namespace scheduler {

struct LinuxDispatcherOptions {
  // Worker threads for background runnables; 0 means NumCpus().
  int worker_threads = 0;
  // Run a task woken (or spawned) by the task running on a worker next on
  // that worker, instead of queueing it for any worker. Makes message passing
  // between tasks much cheaper; see "LIFO SLOT" in internal/worker_pool.cc for
  // the trade-off.
  bool lifo_slot = true;
};

class LinuxDispatcher final : public PlatformDispatcher {
 public:
  // Must be called on the thread that will run `RunMainLoop`.
  static std::shared_ptr<LinuxDispatcher> Create(
      LinuxDispatcherOptions options = {},
      std::source_location location = std::source_location::current());

  LinuxDispatcher(const LinuxDispatcher&) = delete;
  LinuxDispatcher& operator=(const LinuxDispatcher&) = delete;
  ~LinuxDispatcher() override;

  // --- Scheduler ---
  // Labels are accepted and ignored (ScheduleLabeled's default forwards here).
  // From a worker, the runnable goes to that worker's queue (or LIFO slot);
  // from any other thread, to the shared injector.
  void Schedule(Runnable runnable) override;
  void ScheduleForeground(Runnable runnable) override;
  void ScheduleAfter(Duration delay, Runnable runnable) override;
  // Parks the calling thread on its own thread-local Parker.
  bool Park(std::optional<Duration> timeout) override;
  Unparker GetUnparker() override;
  bool IsMainThread() const override;
  // std::chrono::steady_clock::now().
  Instant Now() const override;

  // --- PlatformDispatcher ---
  void RunMainLoop() override;
  void QuitMainLoop() override;
  void Shutdown() override;

  int worker_threads() const { return pool_->size(); }
  // Timers armed and not yet fired or cancelled (cancelled ones leave at
  // once). For diagnostics and tests; a snapshot.
  size_t armed_timers() const { return pool_->armed_timers(); }

 private:
  struct Deleter;
  LinuxDispatcher(LinuxDispatcherOptions options, std::source_location location);
  void ShutdownNow();
  void ReclaimCancelledTimer(internal::TaskCoreBase* task) override;

  const std::thread::id main_thread_;
  const std::source_location created_at_;
  // Each component is shared with its own threads (see WorkerPool): none of
  // them refers back to this object, so it can die on any thread.
  const std::shared_ptr<dispatcher_internal::Graveyard> graveyard_;
  std::shared_ptr<dispatcher_internal::WorkerPool> pool_;  // set once, in the constructor
  const std::shared_ptr<dispatcher_internal::MainLoop> main_loop_;

  std::atomic<bool> in_main_loop_{false};
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
};

}  // namespace scheduler

#endif  // PLATFORMS_LINUX_LINUX_DISPATCHER_H_
