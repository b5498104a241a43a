// Internal: how a MainLoop (main_loop.h) sleeps and is woken: the one part of
// the main thread's loop that differs per OS.
//
// The loop logic (the FIFO queue, batches, Quit, Stop) is written once in
// MainLoop. A waiter only puts the main thread to sleep until there is
// something to do and, if the OS has event sources (file descriptors on
// Linux, window messages on Windows), dispatches those that are ready. Each
// OS backend picks its waiter when it makes its MainLoopBackend
// (dispatcher_backend.h): Linux the epoll waiter
// (platforms/linux/internal/epoll_waiter.h); Windows the message pump
// (platforms/windows/internal/message_pump_waiter.h). The portable
// ConditionVariableWaiter below serves loops without OS event sources.
//
// The protocol with MainLoop: the loop decides to sleep, with its mutex held,
// after seeing nothing to run; every change it waits for is made under that
// mutex and followed by `Wake` while the loop sleeps. A waiter must therefore
// make a `Wake` that comes after `Sleep` was entered (even before the OS wait
// itself started) end that `Sleep`: no lost wake-up.
#ifndef PLATFORMS_INTERNAL_MAIN_LOOP_WAITER_H_
#define PLATFORMS_INTERNAL_MAIN_LOOP_WAITER_H_

#include <condition_variable>
#include <mutex>

#include "scheduler/scheduler.h"

namespace scheduler::platform_internal {

class MainLoopWaiter {
 public:
  virtual ~MainLoopWaiter() = default;

  // On the main thread, with `lock` (the loop's mutex) held and nothing
  // queued: sleeps until `Wake`, or until OS sources are ready and have been
  // dispatched, and returns with `lock` held again. May return spuriously
  // (the loop checks again). Implementations release `lock` while they sleep
  // and while they dispatch: a source's callback may push to the loop.
  // Callbacks run through RunDispatcherCallback with `dispatcher` pinned.
  virtual void Sleep(std::unique_lock<std::mutex>& lock, const Scheduler* dispatcher) = 0;

  // On the main thread, without the loop's mutex, before each batch of
  // foreground runnables (also right after a Sleep: main_loop.cc says why):
  // dispatches the OS sources that are ready now, without blocking, so that a
  // loop kept busy by foreground work does not starve them.
  virtual void Poll(const Scheduler* dispatcher) = 0;

  // Ends the current `Sleep`, or the next one if none is in progress. Called
  // with the loop's mutex held, from any thread.
  virtual void Wake() = 0;

  // The loop was stopped (the dispatcher is shutting down): called once, from
  // the thread that stops it, without the loop's mutex. Waiters release what
  // their sources hold (for example, wake tasks waiting on a source so that
  // the stopped dispatcher refuses and cancels them).
  virtual void Stop() {}
};

// The portable waiter: a condition variable, with no OS event sources.
class ConditionVariableWaiter final : public MainLoopWaiter {
 public:
  void Sleep(std::unique_lock<std::mutex>& lock, const Scheduler*) override { wake_.wait(lock); }
  void Poll(const Scheduler*) override {}
  void Wake() override { wake_.notify_one(); }

 private:
  std::condition_variable wake_;
};

}  // namespace scheduler::platform_internal

#endif  // PLATFORMS_INTERNAL_MAIN_LOOP_WAITER_H_
