// Internal: the main-thread run loop for foreground runnables, shared by the
// Linux and Windows dispatchers (macOS drains GCD's main queue instead).
#ifndef PLATFORMS_INTERNAL_MAIN_LOOP_H_
#define PLATFORMS_INTERNAL_MAIN_LOOP_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

#include "scheduler/runnable.h"
#include "scheduler/scheduler.h"

namespace scheduler::platform_internal {

// A FIFO queue of foreground runnables and the loop that runs them.
//
// One FIFO for every session: runnables run in the order they were pushed,
// which gives each session its FIFO order too. The loop sleeps on a condition
// variable while the queue is empty; a push signals it only when it is
// actually asleep, so a busy main thread costs pushers no system call.
//
// Thread-safety: `Push`, `Quit` and `Stop` may be called from any thread;
// `Run` by one thread at a time (the dispatcher checks it is the main thread).
class MainLoop {
 public:
  MainLoop() = default;
  MainLoop(const MainLoop&) = delete;
  MainLoop& operator=(const MainLoop&) = delete;

  // Queues `runnable`. Returns an empty Runnable, or `runnable` itself after
  // `Stop` (the caller drops it outside its locks, cancelling the task).
  [[nodiscard]] Runnable Push(Runnable runnable);

  // Runs queued runnables until `Quit` or `Stop`. A quit request is consumed
  // by the `Run` it ends, so the loop can be run again later; one that
  // arrives while no `Run` is active is kept for the next one. Returns false
  // at once, running nothing, if called while another `Run` is active (from
  // inside one of its steps).
  // Each step runs through RunDispatcherStep (dispatcher_step.h) with `dispatcher` pinned.
  [[nodiscard]] bool Run(const Scheduler* dispatcher);

  // Makes `Run` return after the runnable it is running, if any.
  void Quit();

  // Refuses later pushes, moves every queued runnable to `drained` and makes
  // `Run` return (now, or as soon as it starts).
  void Stop(std::vector<Runnable>& drained);

 private:
  // Signals the loop if it sleeps. Called with mu_ held.
  void WakeLocked() {
    if (sleeping_) wake_.notify_one();
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Runnable> queue_;  // guarded by mu_
  bool sleeping_ = false;       // guarded by mu_: Run waits on wake_
  // Both flags are written under mu_ and read without it between two
  // runnables of a batch.
  std::atomic<bool> quit_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<bool> running_{false};
};

}  // namespace scheduler::platform_internal

#endif  // PLATFORMS_INTERNAL_MAIN_LOOP_H_
