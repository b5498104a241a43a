// Internal: how a main-loop event source finds the OS waiter it registers
// with, written once for every source (Linux's WatchFd and Readable/Writable,
// Windows' FilterMessages and Signaled).
//
// A source belongs to the main thread: it is registered with the waiter of
// the dispatcher's main loop (a registration, e.g. WatchFd) or of the loop
// running the current foreground step (an await, e.g. co_await Readable(fd)),
// and that waiter must be the kind the source needs (an EpollWaiter for file
// descriptors, a MessagePumpWaiter for handles and messages). Anything else
// is misuse, reported as a fatal error naming the call site (docs/MISUSE.md).
#ifndef PLATFORMS_INTERNAL_MAIN_LOOP_SOURCE_H_
#define PLATFORMS_INTERNAL_MAIN_LOOP_SOURCE_H_

#include <memory>
#include <source_location>
#include <string>

#include "platforms/internal/main_loop_waiter.h"
#include "platforms/platform_dispatcher.h"

namespace scheduler::platform_internal {

// What a source says about itself in its misuse reports.
struct SourceUse {
  // The operation, as the user wrote it: "co_await Readable(5)", "WatchFd(5)".
  std::string what;
  // Where it was written.
  std::source_location where;
  // For an await outside a main-loop step: what only a foreground task can
  // wait for ("a file descriptor"). For a registration off the main thread:
  // why sources belong there ("watches belong to the main thread, where their
  // callbacks run").
  std::string main_thread_only;
  // Completes "this main loop ..." when the waiter is the wrong kind:
  // "cannot wait for file descriptors (only the Linux dispatcher's epoll loop
  // can)".
  std::string wrong_loop;
};

// The waiter of the main loop running the current step, for an await.
// Fatal outside a foreground step run by RunMainLoop.
std::shared_ptr<MainLoopWaiter> AwaitingLoopWaiter(const SourceUse& use);

// The waiter of `dispatcher`'s main loop, for a registration. Fatal off the
// dispatcher's main thread. May return null (a dispatcher without a main-loop
// waiter): the typed overloads below report that as the wrong kind.
std::shared_ptr<MainLoopWaiter> RegisteringLoopWaiter(PlatformDispatcher& dispatcher,
                                                      const SourceUse& use);

// Fatal: `use` met a main loop whose waiter is not the kind it needs.
[[noreturn]] void WrongLoopKind(const SourceUse& use, bool dispatcher_loop);

// The typed forms: the waiter as the kind `Waiter` the source needs.
template <class Waiter>
std::shared_ptr<Waiter> AwaitingLoopWaiterAs(const SourceUse& use) {
  std::shared_ptr<Waiter> waiter = std::dynamic_pointer_cast<Waiter>(AwaitingLoopWaiter(use));
  if (waiter == nullptr) WrongLoopKind(use, /*dispatcher_loop=*/false);
  return waiter;
}

template <class Waiter>
std::shared_ptr<Waiter> RegisteringLoopWaiterAs(PlatformDispatcher& dispatcher,
                                                const SourceUse& use) {
  std::shared_ptr<Waiter> waiter =
      std::dynamic_pointer_cast<Waiter>(RegisteringLoopWaiter(dispatcher, use));
  if (waiter == nullptr) WrongLoopKind(use, /*dispatcher_loop=*/true);
  return waiter;
}

}  // namespace scheduler::platform_internal

#endif  // PLATFORMS_INTERNAL_MAIN_LOOP_SOURCE_H_
