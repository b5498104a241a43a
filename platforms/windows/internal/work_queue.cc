#include "platforms/windows/internal/work_queue.h"

#include <string>
#include <utility>

#include "platforms/internal/dispatcher_step.h"
#include "scheduler/future.h"

namespace scheduler::windows_internal {

namespace {

// Steps of any WorkQueue running on this thread (more than one when a step
// destroys the dispatcher, whose shutdown must not wait for its own caller).
thread_local int steps_on_this_thread = 0;

}  // namespace

std::shared_ptr<WorkQueue> WorkQueue::Create(std::shared_ptr<ThreadPool> pool,
                                             const Scheduler* dispatcher) {
  std::shared_ptr<WorkQueue> queue(new WorkQueue(std::move(pool), dispatcher));
  queue->work_ =
      CreateThreadpoolWork(&WorkQueue::Callback, queue.get(), queue->pool_->environment());
  if (queue->work_ == nullptr) {
    internal::FatalError("WindowsDispatcher: CreateThreadpoolWork failed with error " +
                         std::to_string(GetLastError()));
  }
  return queue;
}

Runnable WorkQueue::Push(Runnable runnable) {
  LockGuard guard(lock_);
  if (stopped_) return runnable;
  queue_.push_back(std::move(runnable));
  // Under the lock: once Stop has run, the pool may close the work object at
  // any moment, so no submission may slip in after it.
  SubmitThreadpoolWork(work_);
  return Runnable();
}

void WorkQueue::Stop(std::vector<Runnable>& doomed) {
  LockGuard guard(lock_);
  stopped_ = true;
  for (Runnable& runnable : queue_) doomed.push_back(std::move(runnable));
  queue_.clear();
}

void CALLBACK WorkQueue::Callback(PTP_CALLBACK_INSTANCE, void* context, PTP_WORK) {
  static_cast<WorkQueue*>(context)->RunOne();
}

void WorkQueue::RunOne() {
  ThreadPool::CallbackScope scope(pool_.get());
  Runnable runnable;
  {
    LockGuard guard(lock_);
    if (queue_.empty()) return;  // Stopped: the runnable was handed to Stop.
    runnable = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
  }
  ++steps_on_this_thread;
  platform_internal::RunDispatcherStep(std::move(runnable), dispatcher_);
  --steps_on_this_thread;
  LockGuard guard(lock_);
  if (--running_ <= 1) steps_done_.SignalAll();
}

void WorkQueue::WaitForOtherSteps() {
  LockGuard guard(lock_);
  while (running_ > steps_on_this_thread) steps_done_.Wait(lock_);
}

}  // namespace scheduler::windows_internal
