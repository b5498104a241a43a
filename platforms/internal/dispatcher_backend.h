// Internal: the OS half of a PlatformDispatcher, and how OS libraries make
// one.
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
#include <functional>
#include <memory>
#include <source_location>
#include <utility>
#include <vector>

#include "platforms/internal/main_loop.h"
#include "platforms/internal/main_loop_waiter.h"
#include "platforms/platform_dispatcher.h"
#include "scheduler/duration.h"
#include "scheduler/runnable.h"

namespace scheduler {

namespace internal {
class TaskCoreBase;
}  // namespace internal

namespace platform_internal {

class DispatcherBackend {
 public:
  virtual ~DispatcherBackend() = default;

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

  // The waiter of the main loop (main_loop_waiter.h), which owns the OS event
  // sources; nullptr if the main thread does not run a MainLoop (macOS).
  virtual std::shared_ptr<MainLoopWaiter> main_loop_waiter() const { return nullptr; }

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

// The OS libraries' one way to make a PlatformDispatcher.
class DispatcherFactory {
 public:
  // `make_backend` is called once, with the new dispatcher (to pin in steps;
  // the backend must not keep it alive). Must be called on the thread that
  // will run the main loop. `name` (a string literal) names the dispatcher
  // in misuse reports.
  static std::shared_ptr<PlatformDispatcher> Make(
      const char* name, std::source_location location,
      const std::function<std::unique_ptr<DispatcherBackend>(const Scheduler*)>& make_backend);

  // `Make` with the backend `Backend(options, dispatcher)`.
  template <typename Backend>
  static std::shared_ptr<PlatformDispatcher> MakeWith(const char* name,
                                                      std::source_location location,
                                                      const PlatformDispatcherOptions& options) {
    return Make(name, location, [&options](const Scheduler* dispatcher) {
      return std::make_unique<Backend>(options, dispatcher);
    });
  }
};

// How OS event-source libraries (platforms/linux/fd_source.cc) reach a
// dispatcher's backend.
class BackendAccess {
 public:
  static DispatcherBackend& Of(PlatformDispatcher& dispatcher) { return *dispatcher.backend_; }
};

// A backend whose main thread runs the shared MainLoop (Linux, Windows): the
// foreground half written once. Subclasses push background work and timers
// to their pool, and stop `main_loop()` in their `Stop`.
class MainLoopBackend : public DispatcherBackend {
 public:
  // `waiter` is how this OS's main thread sleeps (main_loop_waiter.h).
  MainLoopBackend(const Scheduler* dispatcher, std::shared_ptr<MainLoopWaiter> waiter)
      : dispatcher_(dispatcher), main_loop_(std::make_shared<MainLoop>(std::move(waiter))) {}

  [[nodiscard]] Runnable PushForeground(Runnable runnable) final {
    return main_loop_->Push(std::move(runnable));
  }
  [[nodiscard]] bool RunMainLoop() final {
    // A step may drop the last reference to the dispatcher (and so to this
    // object): the loop is kept alive by this local.
    std::shared_ptr<MainLoop> loop = main_loop_;
    return loop->Run(dispatcher_);
  }
  void QuitMainLoop() final { main_loop_->Quit(); }
  std::shared_ptr<MainLoopWaiter> main_loop_waiter() const final { return main_loop_->waiter(); }

 protected:
  const Scheduler* dispatcher() const { return dispatcher_; }
  // Shared with whatever hands foreground work over from other threads (a
  // pool's timers), so none of them needs the backend to stay alive.
  const std::shared_ptr<MainLoop>& main_loop() const { return main_loop_; }

 private:
  const Scheduler* const dispatcher_;
  const std::shared_ptr<MainLoop> main_loop_;
};

}  // namespace platform_internal
}  // namespace scheduler

#endif  // PLATFORMS_INTERNAL_DISPATCHER_BACKEND_H_
