// PlatformDispatcher: the production Scheduler of this operating system.
//
// One per process, created on the application's main thread:
//
//   std::shared_ptr<PlatformDispatcher> dispatcher = CreatePlatformDispatcher();
//   Executor background(dispatcher);
//   ForegroundExecutor foreground(dispatcher);
//   foreground.Spawn(App(background, foreground)).Detach();
//   dispatcher->RunMainLoop();   // returns after QuitMainLoop()
//   dispatcher->Shutdown();
//
// Background runnables run on a pool of threads; foreground runnables run on
// the main thread, inside `RunMainLoop`, in FIFO order per session; timers
// (`ScheduleAfter`) fire no earlier than their deadline on the steady clock.
// `CreatePlatformDispatcher` picks the pool for the build's OS (Linux: a
// work-stealing pool of our own whose workers also fire timers; Windows: the
// Windows Thread Pool API; macOS: GCD). Everything else is one implementation
// shared by the three: the main loop (Linux, Windows; macOS drains GCD's main
// queue), what a timer of `Duration::max()` means, what happens to work
// refused during shutdown, the options, and the context (the steady clock,
// per-thread parking, the creating thread as main thread:
// scheduler/real_time_context.h).
//
// Timers: a delay <= 0 schedules at once; `Duration::max()` never fires (the
// runnable is kept until `Shutdown`, then dropped); a cancelled timer leaves
// the timer structure at once, so memory is bounded by live timers.
//
// Lifetime: tasks hold the dispatcher weakly, but tasks that capture an
// Executor hold it strongly, so call `Shutdown()` when done: it cancels every
// pending runnable and timer (destroying their frames), waits for the pool's
// threads to finish their current steps, then cancels every detached task
// still suspended, whatever it awaits (destroying its frame on
// the calling thread; scheduler.h, "Shutdown"), and cancels whatever is
// scheduled afterwards. The destructor does the same. Neither waits for tasks
// that are suspended on something else; a task with a live handle is freed by
// its handle (and cancelled if detached after the shutdown). When
// the last reference is dropped inside a step on one of the dispatcher's own
// threads, the shutdown happens at once and the memory is freed right after
// that step.
//
// Shutdown policy: a runnable refused while shutting down (a step still
// running spawns a child or arms a timer) is kept until the pool's threads
// have finished, then dropped, cancelling its task quietly; afterwards
// refused runnables are dropped on arrival.
//
// Misuse (fatal, with a message naming the dispatcher and where it was
// created): `RunMainLoop` off the main thread or re-entered from a step;
// `Shutdown` called explicitly from one of the pool's threads or from inside
// a task step.
#ifndef PLATFORMS_PLATFORM_DISPATCHER_H_
#define PLATFORMS_PLATFORM_DISPATCHER_H_

#include <cstddef>
#include <memory>
#include <source_location>

#include "scheduler/scheduler.h"

namespace scheduler {

struct PlatformDispatcherOptions {
  // Threads for background runnables; 0 means NumCpus(). Ignored on macOS,
  // where GCD sizes its own pool.
  int worker_threads = 0;
  // Linux only: run a task woken (or spawned) by the task running on a worker
  // next on that worker, instead of queueing it for any worker. Makes message
  // passing between tasks much cheaper; see "LIFO SLOT" in
  // platforms/linux/internal/worker_pool.cc for the trade-off.
  bool lifo_slot = true;
};

namespace platform_internal {
class BackendAccess;
class DispatcherBackend;
class DispatcherFactory;
}  // namespace platform_internal

class PlatformDispatcher final : public Scheduler {
 public:
  PlatformDispatcher(const PlatformDispatcher&) = delete;
  PlatformDispatcher& operator=(const PlatformDispatcher&) = delete;
  ~PlatformDispatcher() override;

  // --- Scheduler ---
  // Labels are accepted and ignored (ScheduleLabeled's default forwards here).
  void Schedule(Runnable runnable) final;
  void ScheduleForeground(Runnable runnable) final;
  void ScheduleAfter(Duration delay, Runnable runnable) final;

  // Runs foreground runnables on the calling thread until `QuitMainLoop()`
  // (or `Shutdown()`); sleeps while there are none. On Linux the loop sleeps
  // in epoll and also dispatches file-descriptor sources, between batches of
  // foreground runnables (platforms/linux/fd_source.h, THE MAIN-LOOP RULE);
  // on macOS foreground runnables go through GCD's main queue, which is what
  // AppKit's run loop drains, so they interleave with the OS's events there
  // too. Must be called on the thread that created the dispatcher (the main
  // thread); calling it elsewhere is a fatal error naming the calling thread
  // and the main thread.
  // May be called again after it returns.
  void RunMainLoop();

  // Makes `RunMainLoop` return after the runnable it is running, if any.
  // Thread-safe; a quit that arrives before `RunMainLoop` starts is kept, and
  // each quit is consumed by the `RunMainLoop` it ends.
  void QuitMainLoop();

  // Cancels all pending work and stops the pool (see the file comment).
  // Idempotent. Must not be called from a pool thread or from inside a task
  // step.
  void Shutdown();

  // The number of pool threads (GCD's is not ours: 0 on macOS).
  int worker_threads() const;

  // Timers armed and not yet fired or cancelled, `Duration::max()` ones
  // included. For diagnostics and tests; a snapshot.
  size_t armed_timers() const;

 private:
  // The OS libraries of //platforms make dispatchers, each with its OS half
  // (internal/dispatcher_backend.h: a pool, a timer source and the
  // main-loop wait).
  friend class platform_internal::DispatcherFactory;
  friend class platform_internal::BackendAccess;
  using Backend = platform_internal::DispatcherBackend;

  // The graveyard and the never-firing timers (see the .cc).
  class State;

  // `name` (a string literal) names the dispatcher in misuse reports.
  PlatformDispatcher(const char* name, std::source_location created_at);

  // The shared_ptr deleter: deletes the dispatcher, or, when the last
  // reference went inside a step on one of its own threads, shuts it down
  // now and deletes it right after that step.
  static void Destroy(PlatformDispatcher* dispatcher);

  void ReclaimCancelledTimer(internal::TaskCoreBase* task) final;
  void ShutdownNow();

  const char* const name_;
  const std::source_location created_at_;
  std::unique_ptr<Backend> backend_;  // set once, by DispatcherFactory
  const std::unique_ptr<State> state_;
};

// The dispatcher for the OS this binary was built for. Must be called on the
// thread that will run `RunMainLoop` (on macOS: the process's main thread).
std::shared_ptr<PlatformDispatcher> CreatePlatformDispatcher(
    PlatformDispatcherOptions options = {},
    std::source_location location = std::source_location::current());

}  // namespace scheduler

#endif  // PLATFORMS_PLATFORM_DISPATCHER_H_
