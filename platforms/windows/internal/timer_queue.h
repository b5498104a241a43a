// Internal: `ScheduleAfter` for the Windows dispatcher.
#ifndef PLATFORMS_WINDOWS_INTERNAL_TIMER_QUEUE_H_
#define PLATFORMS_WINDOWS_INTERNAL_TIMER_QUEUE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "platforms/windows/internal/thread_pool.h"
#include "platforms/windows/internal/win32.h"
#include "scheduler/duration.h"
#include "scheduler/internal/timer_heap.h"
#include "scheduler/runnable.h"

namespace scheduler::windows_internal {

// Runnables waiting for a deadline, behind one thread-pool timer that is
// always set for the earliest deadline.
//
// One timer object for the whole queue, rather than one per `Add`: creating
// and closing a kernel timer object per call would cost more than the work
// it delays, and a single timer hands due runnables over in deadline order
// (ties in `Add` order), which many timers firing on different pool threads
// would not.
//
// Never early: a callback dispatches only the entries whose deadline is at or
// before `steady_clock::now()` (the dispatcher's clock); if the pool's timer,
// which runs on another clock, fires a little early, the callback dispatches
// nothing and sets the timer again for the remainder.
//
// Thread-safe. Must outlive every callback (see WorkQueue).
class TimerQueue {
 public:
  // Hands a due runnable on (to the work queue or the main loop); returns it
  // if refused, and the timer queue drops it outside its lock.
  using Sink = std::function<Runnable(Runnable)>;

  static std::shared_ptr<TimerQueue> Create(std::shared_ptr<ThreadPool> pool, Sink sink);

  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Dispatches `runnable` once `deadline` (finite) has passed. After `Stop`
  // the runnable is handed back for the caller to drop.
  [[nodiscard]] Runnable Add(Instant deadline, Runnable runnable);

  // Takes `task`'s armed runnable out (the caller drops it unlocked), or
  // returns an empty one. The pool timer is left as it is: if it was set for
  // this deadline, its callback finds nothing due and re-arms.
  [[nodiscard]] Runnable Cancel(internal::TaskCoreBase* task);

  // Armed runnables, neither fired nor cancelled.
  size_t size() const;

  // Refuses later `Add`s, moves every waiting runnable to `doomed` and stops
  // the timer. A callback already running dispatches at most what it took
  // before `Stop`.
  void Stop(std::vector<Runnable>& doomed);

 private:
  TimerQueue(std::shared_ptr<ThreadPool> pool, Sink sink)
      : pool_(std::move(pool)), sink_(std::move(sink)) {}
  static void CALLBACK Callback(PTP_CALLBACK_INSTANCE instance, void* context, PTP_TIMER timer);
  void Fire();
  // Sets the pool timer for the earliest finite deadline, or clears it.
  void ArmLocked(Instant now);

  const std::shared_ptr<ThreadPool> pool_;
  const Sink sink_;
  PTP_TIMER timer_ = nullptr;  // Set once by Create; closed by the pool.
  mutable Lock lock_;
  // Guarded by lock_. Equal deadlines keep their `Add` order.
  internal::TimerHeap entries_;
  std::optional<Instant> armed_for_;  // the deadline the pool timer is set for
  bool stopped_ = false;
};

}  // namespace scheduler::windows_internal

#endif  // PLATFORMS_WINDOWS_INTERNAL_TIMER_QUEUE_H_
