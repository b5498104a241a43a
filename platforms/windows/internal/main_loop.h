// Internal: the foreground queue and run loop of the Windows dispatcher.
#ifndef PLATFORMS_WINDOWS_INTERNAL_MAIN_LOOP_H_
#define PLATFORMS_WINDOWS_INTERNAL_MAIN_LOOP_H_

#include <deque>
#include <vector>

#include "platforms/windows/internal/win32.h"
#include "scheduler/runnable.h"

namespace scheduler::windows_internal {

// A FIFO of foreground runnables and the loop that runs them on the thread
// that calls `Run` (the dispatcher checks that it is the main thread). One
// queue for all sessions, so each session's runnables keep their order.
//
// The loop waits on a condition variable rather than a Windows message queue:
// the dispatcher owns no window, and a UI layer that needs window messages
// pumps them from a foreground task of its own.
//
// Thread-safe, except that `Run` must not be re-entered (it returns false).
class MainLoop {
 public:
  MainLoop() = default;
  MainLoop(const MainLoop&) = delete;
  MainLoop& operator=(const MainLoop&) = delete;

  // Queues `runnable`, or hands it back after `Stop` (the caller drops it
  // outside any lock, which cancels its task).
  [[nodiscard]] Runnable Push(Runnable runnable);

  // Runs queued runnables in order, waiting for more, until `Quit` (then
  // returns after the current runnable) or `Stop`. A `Quit` that came before
  // `Run` makes it return at once, and is used up by that. Returns false
  // without running anything if another `Run` is active (re-entry from a
  // step).
  bool Run();

  void Quit();

  // Refuses later pushes, moves the queued runnables to `doomed` and makes
  // `Run` return.
  void Stop(std::vector<Runnable>& doomed);

 private:
  Lock lock_;
  CondVar changed_;  // signalled on push, quit and stop
  // Guarded by lock_.
  std::deque<Runnable> queue_;
  bool quit_ = false;
  bool stopped_ = false;
  bool running_ = false;
};

}  // namespace scheduler::windows_internal

#endif  // PLATFORMS_WINDOWS_INTERNAL_MAIN_LOOP_H_
