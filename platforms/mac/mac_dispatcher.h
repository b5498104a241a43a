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
// Timers of `Duration::max()` are kept by PlatformDispatcher; anything beyond
// ~100 years is never handed to GCD either (dispatch_time takes int64 ns) and
// waits in the list for `Shutdown`. A cancelled timer's record is emptied at
// once (its runnable freed); GCD later calls the empty record, which frees
// itself, so what a cancelled timer costs until its deadline is one small
// record inside GCD.
//
// Main thread: the process's main thread (where GCD runs the main queue);
// `Create` must be called on it. Foreground runnables run only while
// `RunMainLoop` runs (or the application's own run loop, e.g. NSApplication's,
// which drains the main queue the same way). `RunMainLoop` re-entered from a
// foreground step is fatal: the main queue is serial, so the inner loop could
// never run the next foreground step.
//
// Status: written against Apple's documented GCD and CoreFoundation APIs. No
// macOS host exists in this project's environment, so it has never been
// compiled with Apple's SDK nor run on macOS. On Linux this same source is
// compiled against the real libdispatch (Apple's open-source GCD, as Debian
// builds it for Linux; //third_party/libdispatch) and the contract suite and
// platforms/mac/tests run on it, plain and under ASan, TSan and UBSan: the
// GCD calls run on GCD's own queues, threads and timers. CoreFoundation's run
// loop is a test-only stand-in over libdispatch's main-queue handle
// (//platforms/mac:cf_run_loop). Unverified until run on a Mac: Apple's SDK
// headers and compiler, the real CFRunLoop, the Mach-port main-queue handle
// and Apple's kernel-backed global queues.
#ifndef PLATFORMS_MAC_MAC_DISPATCHER_H_
#define PLATFORMS_MAC_MAC_DISPATCHER_H_

#include <memory>
#include <source_location>

#include "platforms/platform_dispatcher.h"

namespace scheduler {

class MacDispatcher final : public PlatformDispatcher {
 public:
  // Must be called on the process's main thread (fatal otherwise, naming
  // `location`). `options` is ignored: GCD sizes its own pool and has no
  // LIFO slot.
  static std::shared_ptr<MacDispatcher> Create(
      PlatformDispatcherOptions options = {},
      std::source_location location = std::source_location::current());

 private:
  class Gcd;
  explicit MacDispatcher(std::source_location location)
      : PlatformDispatcher("MacDispatcher", location) {}
};

}  // namespace scheduler

#endif  // PLATFORMS_MAC_MAC_DISPATCHER_H_
