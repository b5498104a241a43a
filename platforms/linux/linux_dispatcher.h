// LinuxDispatcher: the PlatformDispatcher on Linux (and any POSIX system with
// std::thread). Most code gets it through `CreatePlatformDispatcher()`
// (platforms/platform_dispatcher.h, which documents the behaviour) and need
// not name this class.
//
// The Linux pieces: `worker_threads` workers run background runnables from a
// work-stealing pool (a bounded local queue per worker, a shared injector for
// runnables from other threads) and fire timers themselves (there is no timer
// thread); the main thread runs the shared main loop. No pool thread outlives
// `Shutdown()` (or the last reference), except in one case: when the last
// reference is dropped inside a step on a worker, that worker cannot join
// itself, so it is detached and exits as soon as the step returns.
//
// Costs: a runnable scheduled from a worker goes to that worker's own queue
// (no lock); from another thread, to the injector (one short lock). A push
// makes a system call only to wake a parked worker, and only when no worker
// is already searching for work, so a burst wakes workers one at a time. A
// task woken or spawned by the task running on a worker runs next on that
// worker (a tokio-style LIFO slot; see `lifo_slot`). Foreground pushes signal
// the main thread only while it sleeps. Timers cost O(log n) to arm, fire or
// cancel. The protocols are written down in internal/worker_pool.cc.
#ifndef PLATFORMS_LINUX_LINUX_DISPATCHER_H_
#define PLATFORMS_LINUX_LINUX_DISPATCHER_H_

#include <memory>
#include <source_location>

#include "platforms/platform_dispatcher.h"

namespace scheduler {

class LinuxDispatcher final : public PlatformDispatcher {
 public:
  // Must be called on the thread that will run `RunMainLoop`.
  static std::shared_ptr<LinuxDispatcher> Create(
      PlatformDispatcherOptions options = {},
      std::source_location location = std::source_location::current());

 private:
  class Pool;
  explicit LinuxDispatcher(std::source_location location)
      : PlatformDispatcher("LinuxDispatcher", location) {}
};

}  // namespace scheduler

#endif  // PLATFORMS_LINUX_LINUX_DISPATCHER_H_
