// Internal: the OS half of a PlatformDispatcher.
//
// PlatformDispatcher (platform_dispatcher.cc) is written once: the Scheduler
// methods, the never-firing timers, the shutdown sequence and policy, the
// misuse checks, the delete-after-step rule. What differs per OS is behind
// this interface: where background runnables run (our worker pool, the
// Windows Thread Pool, GCD), the timer source, and how the main thread waits
// for foreground work (the shared MainLoop in main_loop.h on Linux and
// Windows, GCD's main queue on macOS).
//
// Contract for every method that takes a Runnable: it returns an empty
// Runnable if it took it, or the Runnable itself if it refused it (after
// `Stop`); the dispatcher then applies the shutdown policy (it never drops a
// Runnable under a backend lock).
//
// Thread-safety: `Push*`, `AddTimer`, `CancelTimer`, `QuitMainLoop` and the
// queries from any thread; `RunMainLoop` on the main thread (the dispatcher
// checks); `Stop` then `Join` once each, by the dispatcher.
#ifndef PLATFORMS_INTERNAL_DISPATCHER_BACKEND_H_
#define PLATFORMS_INTERNAL_DISPATCHER_BACKEND_H_

#include <cstddef>
#include <vector>

#include "platforms/platform_dispatcher.h"
#include "scheduler/duration.h"
#include "scheduler/runnable.h"

namespace scheduler {

namespace internal {
class TaskCoreBase;
}  // namespace internal

class PlatformDispatcher::Backend {
 public:
  virtual ~Backend() = default;

  // A background runnable, to run soon on a pool thread.
  [[nodiscard]] virtual Runnable PushBackground(Runnable runnable) = 0;

  // A foreground runnable, to run on the main thread in push order.
  [[nodiscard]] virtual Runnable PushForeground(Runnable runnable) = 0;

  // Hands `runnable` to PushBackground or PushForeground (by its metadata) at
  // `deadline` or later, never earlier. `deadline` is finite: the dispatcher
  // keeps timers that never fire itself.
  [[nodiscard]] virtual Runnable AddTimer(Instant deadline, Runnable runnable) = 0;

  // Takes the Runnable that `task` has armed here out of the timer source, or
  // returns an empty one (it fired, or was never armed here).
  [[nodiscard]] virtual Runnable CancelTimer(internal::TaskCoreBase* task) = 0;

  // Timers armed here and neither fired nor cancelled.
  virtual size_t armed_timers() const = 0;

  // Pool threads (0 if the OS owns them).
  virtual int worker_threads() const = 0;

  // Runs foreground runnables on the calling (main) thread until
  // `QuitMainLoop` or `Stop` (a quit before the loop starts is kept for the
  // next one). Returns false at once if a loop is already running on this
  // thread (re-entered from one of its steps). Each step runs through
  // `RunDispatcherStep` with the dispatcher pinned.
  [[nodiscard]] virtual bool RunMainLoop() = 0;
  virtual void QuitMainLoop() = 0;

  // True on one of the pool's threads, where `Join` could not wait for
  // everything (it would wait for its caller).
  virtual bool OnPoolThread() const = 0;

  // Refuses later runnables and timers, moves every queued or armed one it
  // can reach to `doomed`, and makes a running main loop return.
  virtual void Stop(std::vector<Runnable>& doomed) = 0;

  // Waits until no pool thread runs a step any more, other than the caller's
  // own (when called from inside a step on a pool thread, the backend lets
  // that step finish on its own), then moves whatever reached it meanwhile
  // to `doomed`.
  virtual void Join(std::vector<Runnable>& doomed) = 0;
};

}  // namespace scheduler

#endif  // PLATFORMS_INTERNAL_DISPATCHER_BACKEND_H_
