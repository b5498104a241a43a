// MacDispatcher: the production Scheduler on macOS, on Grand Central Dispatch.
//
// Most code gets it through `CreatePlatformDispatcher()` (platform_dispatcher.h)
// and should not name this class.
//
//   background runnables  -> dispatch_async_f on a global concurrent queue
//   foreground runnables  -> dispatch_async_f on dispatch_get_main_queue()
//   ScheduleAfter         -> dispatch_after_f on the matching queue
//   RunMainLoop           -> runs the main thread's CFRunLoop, which drains the
//                            main queue (as in a Cocoa app), until QuitMainLoop
//
// GCD owns the worker threads (`worker_threads` is ignored) and cannot take
// work back once submitted, so every submission goes through a small record
// the dispatcher also keeps in a list: `Shutdown` empties the records (cancelling
// their runnables right away, outside any lock) and waits for steps already
// running; GCD later calls the emptied records, which only free themselves.
// Timers of `Duration::max()` (and anything beyond ~100 years) are never handed
// to GCD; they wait in the list for `Shutdown`.
//
// Main thread: the process's main thread (where GCD runs the main queue);
// `Create` must be called on it. Foreground runnables run only while
// `RunMainLoop` runs (or the application's own run loop, e.g. NSApplication's,
// which drains the main queue the same way).
//
// Status: written against Apple's documented GCD and CoreFoundation APIs. No
// macOS host exists in this project's environment, so it has never been
// compiled with Apple's headers nor run on macOS. Every Linux build compiles
// it against //platforms/mac:stand_in_gcd, a small model of the GCD and
// CoreFoundation calls it makes, and the contract suite and
// platforms/mac/tests run it there: its own logic is tested, GCD is modelled.
#ifndef PLATFORMS_MAC_MAC_DISPATCHER_H_
#define PLATFORMS_MAC_MAC_DISPATCHER_H_

#include <memory>
#include <optional>
#include <source_location>

#include "platforms/platform_dispatcher.h"

namespace scheduler {

namespace mac_internal {
struct State;
}  // namespace mac_internal

class MacDispatcher final : public PlatformDispatcher {
 public:
  // Must be called on the process's main thread (fatal otherwise, naming
  // `location`). `options.worker_threads` is ignored: GCD sizes its own pool.
  static std::shared_ptr<MacDispatcher> Create(
      PlatformDispatcherOptions options = {},
      std::source_location location = std::source_location::current());

  MacDispatcher(const MacDispatcher&) = delete;
  MacDispatcher& operator=(const MacDispatcher&) = delete;
  ~MacDispatcher() override;

  void Schedule(Runnable runnable) override;
  void ScheduleForeground(Runnable runnable) override;
  void ScheduleAfter(Duration delay, Runnable runnable) override;
  bool Park(std::optional<Duration> timeout) override;
  Unparker GetUnparker() override;
  bool IsMainThread() const override;
  Instant Now() const override;

  // Fatal off the main thread and when re-entered from a foreground step.
  void RunMainLoop() override;
  void QuitMainLoop() override;
  // Fatal from inside a task step (call it after RunMainLoop returns). The
  // destructor, which may run inside a step, shuts down without that check.
  void Shutdown() override;

 private:
  explicit MacDispatcher(std::source_location created_at);
  void ShutdownNow();

  // Shared with every in-flight GCD callback, so it outlives this object.
  const std::shared_ptr<mac_internal::State> state_;
  const std::source_location created_at_;
};

}  // namespace scheduler

#endif  // PLATFORMS_MAC_MAC_DISPATCHER_H_
