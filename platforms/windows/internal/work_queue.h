// Internal: background runnables of the Windows dispatcher.
#ifndef PLATFORMS_WINDOWS_INTERNAL_WORK_QUEUE_H_
#define PLATFORMS_WINDOWS_INTERNAL_WORK_QUEUE_H_

#include <deque>
#include <memory>
#include <vector>

#include "platforms/windows/internal/thread_pool.h"
#include "platforms/windows/internal/win32.h"
#include "scheduler/runnable.h"
#include "scheduler/scheduler.h"

namespace scheduler::windows_internal {

// A FIFO of runnables drained by one thread-pool work object.
//
// Each `Push` queues the runnable and submits the work object once
// (`SubmitThreadpoolWork` counts submissions), and each callback runs the
// oldest queued runnable. So there are never more callbacks than runnables,
// a runnable is run by exactly one callback, and with one pool thread they
// run in push order. The runnables live in this queue, not in the pool:
// `Stop` can hand every one of them back to be destroyed, whatever the pool
// does with the callbacks it cancels.
//
// Thread-safe. Must outlive every callback: the pool's `Close` (or the
// keep-alive of `CloseAsync`) guarantees that.
class WorkQueue {
 public:
  // Creates the work object in `pool`'s environment (and cleanup group).
  // Steps run through RunDispatcherStep with `dispatcher` pinned; it must stay valid
  // while a runnable can be taken from the queue (until `Stop` and
  // `WaitForOtherSteps`).
  static std::shared_ptr<WorkQueue> Create(std::shared_ptr<ThreadPool> pool,
                                           const Scheduler* dispatcher);

  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `runnable`. After `Stop` the runnable is handed back instead; the
  // caller drops it outside any lock, which cancels its task.
  [[nodiscard]] Runnable Push(Runnable runnable);

  // Refuses every later `Push` and moves the queued runnables to `doomed`.
  // Callbacks submitted for them find the queue empty (or are cancelled by
  // `ThreadPool::Close`).
  void Stop(std::vector<Runnable>& doomed);

  // Waits until no callback runs a step any more, other than the calling
  // thread's own. With `ThreadPool::Close` unusable from inside a callback
  // (it would wait for itself), this is what lets the dispatcher die inside
  // a step and still know that no other step uses it.
  void WaitForOtherSteps();

 private:
  WorkQueue(std::shared_ptr<ThreadPool> pool, const Scheduler* dispatcher)
      : pool_(std::move(pool)), dispatcher_(dispatcher) {}
  static void CALLBACK Callback(PTP_CALLBACK_INSTANCE instance, void* context, PTP_WORK work);
  void RunOne();

  const std::shared_ptr<ThreadPool> pool_;
  const Scheduler* const dispatcher_;
  PTP_WORK work_ = nullptr;  // Set once by Create; closed by the pool.
  Lock lock_;
  CondVar steps_done_;  // signalled when `running_` drops
  // Guarded by lock_.
  std::deque<Runnable> queue_;
  int running_ = 0;  // steps in progress
  bool stopped_ = false;
};

}  // namespace scheduler::windows_internal

#endif  // PLATFORMS_WINDOWS_INTERNAL_WORK_QUEUE_H_
