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
// Background runnables run on a worker pool; foreground runnables run on the
// main thread, inside `RunMainLoop`, in FIFO order per session; timers
// (`ScheduleAfter`) fire no earlier than their deadline. `CreatePlatformDispatcher`
// picks the implementation for the build's OS (Linux: worker threads and an
// eventless run loop; Windows: the Windows Thread Pool API; macOS: GCD).
//
// Lifetime: tasks hold the dispatcher weakly, but tasks that capture an
// Executor hold it strongly, so call `Shutdown()` when done: it cancels every
// pending runnable and timer (destroying their frames), cancels whatever is
// scheduled afterwards on the spot, and joins the worker threads. The
// destructor calls it too. Neither waits for tasks that are suspended on
// something else; those are freed by their handles.
#ifndef PLATFORMS_PLATFORM_DISPATCHER_H_
#define PLATFORMS_PLATFORM_DISPATCHER_H_

#include <memory>

#include "scheduler/scheduler.h"

namespace scheduler {

struct PlatformDispatcherOptions {
  // Worker threads for background runnables; 0 means NumCpus().
  int worker_threads = 0;
};

class PlatformDispatcher : public Scheduler {
 public:
  // Runs foreground runnables on the calling thread until `QuitMainLoop()`
  // (or `Shutdown()`); sleeps while there are none. Must be called on the
  // thread that created the dispatcher (the main thread); calling it
  // elsewhere is a fatal error naming the calling thread and the main thread.
  // May be called again after it returns.
  virtual void RunMainLoop() = 0;
  // Makes `RunMainLoop` return after the runnable it is running, if any.
  // Thread-safe; a quit that arrives before `RunMainLoop` starts is kept, and
  // each quit is consumed by the `RunMainLoop` it ends.
  virtual void QuitMainLoop() = 0;
  // Cancels all pending work and stops the workers (see the file comment).
  // Idempotent. Must not be called from a worker or from inside a task step.
  virtual void Shutdown() = 0;
};

// The dispatcher for the OS this binary was built for.
std::shared_ptr<PlatformDispatcher> CreatePlatformDispatcher(
    PlatformDispatcherOptions options = {});

}  // namespace scheduler

#endif  // PLATFORMS_PLATFORM_DISPATCHER_H_
