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
// order, inside `RunMainLoop`. Labels are ignored. Timers never fire before
// their deadline on `Now()`'s clock (std::chrono::steady_clock).
//
// Shutdown (explicit or from the destructor) stops the queues, hands every
// queued runnable and every pending timer back to be destroyed (which frees
// the task frames), then closes the pool's cleanup group with cancellation
// (`CloseThreadpoolCleanupGroupMembers`): callbacks that have not started
// never run, running ones are waited for. When the last reference is dropped
// inside one of the pool's own callbacks, that wait would be on itself, so
// the close runs on the process's default thread pool instead, after the
// callback returns.
//
// Misuse (fatal, with a message): `RunMainLoop` off the main thread or
// re-entered from a step; `Shutdown` called explicitly from a pool thread or
// from inside a task step.
//
// Built only for Windows (mingw-w64 cross build: `--config=windows`).
#ifndef PLATFORMS_WINDOWS_WINDOWS_DISPATCHER_H_
#define PLATFORMS_WINDOWS_WINDOWS_DISPATCHER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <source_location>

#include "platforms/platform_dispatcher.h"

namespace scheduler {

namespace windows_internal {
class MainLoop;
class ThreadPool;
class TimerQueue;
class WorkQueue;
}  // namespace windows_internal

class WindowsDispatcher final : public PlatformDispatcher {
 public:
  // Must be called on the thread that will run `RunMainLoop`.
  static std::shared_ptr<WindowsDispatcher> Create(
      PlatformDispatcherOptions options = {},
      std::source_location location = std::source_location::current());

  WindowsDispatcher(const WindowsDispatcher&) = delete;
  WindowsDispatcher& operator=(const WindowsDispatcher&) = delete;
  ~WindowsDispatcher() override;

  // --- Scheduler ---
  // Labels are accepted and ignored (ScheduleLabeled's default forwards here).
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

  // The pool's maximum number of threads.
  int worker_threads() const { return worker_threads_; }

 private:
  WindowsDispatcher(PlatformDispatcherOptions options, std::source_location location);
  void ShutdownNow();

  const uint32_t main_thread_;  // GetCurrentThreadId() of the creating thread
  const std::source_location created_at_;
  const int worker_threads_;
  // None of these refers back to this object (the timer queue's sink holds
  // the other queues), so the dispatcher can be destroyed on any thread.
  const std::shared_ptr<windows_internal::ThreadPool> pool_;
  const std::shared_ptr<windows_internal::WorkQueue> work_;
  const std::shared_ptr<windows_internal::MainLoop> main_loop_;
  const std::shared_ptr<windows_internal::TimerQueue> timers_;

  std::atomic<bool> shut_down_{false};
};

}  // namespace scheduler

#endif  // PLATFORMS_WINDOWS_WINDOWS_DISPATCHER_H_
