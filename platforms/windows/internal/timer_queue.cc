#include "platforms/windows/internal/timer_queue.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "scheduler/future.h"

namespace scheduler::windows_internal {
namespace {

// A relative due time for SetThreadpoolTimer: negative, in 100 ns units,
// rounded up so that the timer is never set short of the deadline.
FILETIME RelativeDueTime(Duration delay) {
  const int64_t ticks = std::max<int64_t>(1, (NonNegative(delay).count() + 99) / 100);
  ULARGE_INTEGER due;
  due.QuadPart = static_cast<ULONGLONG>(-ticks);
  FILETIME time;
  time.dwLowDateTime = due.LowPart;
  time.dwHighDateTime = due.HighPart;
  return time;
}

}  // namespace

std::shared_ptr<TimerQueue> TimerQueue::Create(std::shared_ptr<ThreadPool> pool, Sink sink) {
  std::shared_ptr<TimerQueue> queue(new TimerQueue(std::move(pool), std::move(sink)));
  queue->timer_ =
      CreateThreadpoolTimer(&TimerQueue::Callback, queue.get(), queue->pool_->environment());
  if (queue->timer_ == nullptr) {
    internal::FatalError("WindowsDispatcher: CreateThreadpoolTimer failed with error " +
                         std::to_string(GetLastError()));
  }
  return queue;
}

Runnable TimerQueue::Add(Instant deadline, Runnable runnable) {
  LockGuard guard(lock_);
  if (stopped_) return runnable;
  entries_.Push(deadline, std::move(runnable));
  // Only a new earliest deadline moves the timer. If the timer is armed for
  // an earlier one, its callback re-arms for whatever is earliest then.
  if (!armed_for_.has_value() || deadline < *armed_for_) {
    ArmLocked(std::chrono::steady_clock::now());
  }
  return Runnable();
}

Runnable TimerQueue::Cancel(internal::TaskCoreBase* task) {
  LockGuard guard(lock_);
  return entries_.Remove(task);
}

size_t TimerQueue::size() const {
  LockGuard guard(lock_);
  return entries_.size();
}

void TimerQueue::Stop(std::vector<Runnable>& doomed) {
  LockGuard guard(lock_);
  stopped_ = true;
  entries_.DrainInto(doomed);
  // No callback is queued for later; one that is already due finds nothing.
  // The timer object itself is closed with the pool.
  SetThreadpoolTimer(timer_, nullptr, 0, 0);
  armed_for_.reset();
}

void CALLBACK TimerQueue::Callback(PTP_CALLBACK_INSTANCE, void* context, PTP_TIMER) {
  static_cast<TimerQueue*>(context)->Fire();
}

void TimerQueue::Fire() {
  ThreadPool::CallbackScope scope(pool_.get());
  std::vector<Runnable> due;
  {
    LockGuard guard(lock_);
    if (stopped_) return;
    const Instant now = std::chrono::steady_clock::now();
    entries_.TakeDue(now, due);
    ArmLocked(now);
  }
  // In deadline order, outside the lock: the sink takes other locks, and a
  // refused runnable destroys a frame.
  for (Runnable& runnable : due) Runnable refused = sink_(std::move(runnable));
}

void TimerQueue::ArmLocked(Instant now) {
  if (entries_.empty()) {
    SetThreadpoolTimer(timer_, nullptr, 0, 0);
    armed_for_.reset();
    return;
  }
  const Instant next = entries_.earliest();
  FILETIME due = RelativeDueTime(next - now);
  // Window 0: the pool may not batch this timer with others to save power,
  // which would delay it past the deadline.
  SetThreadpoolTimer(timer_, &due, 0, 0);
  armed_for_ = next;
}

}  // namespace scheduler::windows_internal
