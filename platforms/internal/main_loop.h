// Internal: the main-thread run loop for foreground runnables, shared by the
// Linux and Windows dispatchers (macOS drains GCD's main queue instead).
#ifndef PLATFORMS_INTERNAL_MAIN_LOOP_H_
#define PLATFORMS_INTERNAL_MAIN_LOOP_H_

#include <atomic>
#include <cassert>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "platforms/internal/main_loop_waiter.h"
#include "scheduler/runnable.h"
#include "scheduler/scheduler.h"

namespace scheduler::platform_internal {

// A FIFO queue of foreground runnables and the loop that runs them.
//
// One FIFO for every session: runnables run in the order they were pushed,
// which gives each session its FIFO order too. The loop sleeps in its
// MainLoopWaiter (main_loop_waiter.h: a condition variable, or the OS's wait
// with its event sources) while the queue is empty; a push wakes it only when
// it is actually asleep, and only once per sleep, so a busy main thread costs
// pushers no system call.
//
// One turn of the loop (THE MAIN-LOOP RULE, documented for users in
// platforms/linux/fd_source.h): if foreground runnables are queued, the
// waiter first dispatches the OS sources that are ready now (Poll), then the
// whole queue is taken and run as a batch, in FIFO order; if none are queued,
// the loop sleeps in the waiter, which dispatches the sources that woke it.
// A source callback runs on the main thread between two batches, never in
// the middle of one; a task a source wakes is queued behind the runnables
// already queued.
//
// Thread-safety: `Push`, `Quit` and `Stop` may be called from any thread;
// `Run` by one thread at a time (the dispatcher checks it is the main thread).
class MainLoop {
 public:
  explicit MainLoop(std::shared_ptr<MainLoopWaiter> waiter);
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

  const std::shared_ptr<MainLoopWaiter>& waiter() const { return waiter_; }

  // The loop whose `Run` is active on the calling thread (the innermost, if
  // a step runs another loop), or nullptr. Awaitables of OS sources use it to
  // find the loop of the step they are awaited in.
  static MainLoop* Current();

 private:
  // Wakes the loop if it sleeps, once per sleep. Called with mu_ held.
  void WakeLocked() {
    assert(sleeping_ || !wake_sent_);  // a wake-up is sent only during a sleep
    if (sleeping_ && !wake_sent_) {
      wake_sent_ = true;
      waiter_->Wake();
    }
  }

  const std::shared_ptr<MainLoopWaiter> waiter_;
  std::mutex mu_;
  std::deque<Runnable> queue_;  // guarded by mu_
  bool sleeping_ = false;       // guarded by mu_: Run sleeps in waiter_
  bool wake_sent_ = false;      // guarded by mu_: Wake called since it fell asleep
  // Both flags are written under mu_ and read without it between two
  // runnables of a batch.
  std::atomic<bool> quit_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<bool> running_{false};
};

}  // namespace scheduler::platform_internal

#endif  // PLATFORMS_INTERNAL_MAIN_LOOP_H_
