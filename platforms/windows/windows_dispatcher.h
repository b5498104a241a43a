// WindowsDispatcher: the production Scheduler on Windows, built on the
// Windows Thread Pool API.
//
//   std::shared_ptr<WindowsDispatcher> dispatcher = WindowsDispatcher::Create();
//
// Most code gets it through `CreatePlatformDispatcher()` (platform_dispatcher.h)
// and should not name this class.
//
// Threads: background runnables run on a private thread pool
// (`CreateThreadpool`, at most `worker_threads` threads) through one work
// object (`SubmitThreadpoolWork`); `ScheduleAfter` deadlines are kept in order
// behind one thread-pool timer (`SetThreadpoolTimer`), whose callback hands
// due runnables to the background queue or the main loop; the thread that
// called `Create` is the main thread and runs foreground runnables, in FIFO
// order, inside `RunMainLoop` (the main loop shared with Linux,
// platforms/internal/main_loop.h). Labels and priorities
// (`TaskMetadata::priority`) are ignored: every runnable goes through the one
// work object at the pool's normal priority. Timers never fire
// before their deadline on `Now()`'s clock (std::chrono::steady_clock); a
// cancelled timer leaves the timer heap at once.
//
// Shutdown (PlatformDispatcher's sequence) stops the queues, hands every
// queued runnable and every pending timer back to be destroyed (which frees
// the task frames), then closes the pool's cleanup group with cancellation
// (`CloseThreadpoolCleanupGroupMembers`): callbacks that have not started
// never run, running ones are waited for. When the last reference is dropped
// inside one of the pool's own callbacks, that wait would be on itself: the
// dispatcher waits for the other callbacks' steps only, and the close runs on
// the process's default thread pool, after the callback returns.
//
// Built only for Windows (mingw-w64 cross build: `--config=windows`).
#ifndef PLATFORMS_WINDOWS_WINDOWS_DISPATCHER_H_
#define PLATFORMS_WINDOWS_WINDOWS_DISPATCHER_H_

#include <memory>
#include <source_location>

#include "platforms/platform_dispatcher.h"

namespace scheduler {

class WindowsDispatcher final : public PlatformDispatcher {
 public:
  // Must be called on the thread that will run `RunMainLoop`. The pool has
  // at most `options.worker_threads` threads; `lifo_slot` is ignored (the
  // Windows pool has none).
  static std::shared_ptr<WindowsDispatcher> Create(
      PlatformDispatcherOptions options = {},
      std::source_location location = std::source_location::current());

 private:
  class Pool;
  explicit WindowsDispatcher(std::source_location location)
      : PlatformDispatcher("WindowsDispatcher", location) {}
};

}  // namespace scheduler

#endif  // PLATFORMS_WINDOWS_WINDOWS_DISPATCHER_H_
