// Internal: the TestScheduler's pending timers, a binary min-heap keyed by
// (deadline, sequence number). The sequence number breaks ties in scheduling
// order, so timers with equal deadlines fire in a deterministic order.
//
// Each entry records its position in its task core (`timer_slot()`, see
// TIMERS in scheduler/internal/task_core.h), so a timer whose task is
// cancelled is taken out at once (`Remove`, from the TestScheduler's
// `ReclaimCancelledTimer`): the heap holds live timers only, and the fake
// clock never jumps to the deadline of a timer nobody waits for.
// Push, Pop and Remove are O(log n).
//
// Not thread-safe: the TestScheduler guards it, and the cores' `timer_slot()`
// fields, with its mutex. Runnables taken out are returned to the caller, who
// runs or drops them after unlocking.
#ifndef TESTING_INTERNAL_TIMER_HEAP_H_
#define TESTING_INTERNAL_TIMER_HEAP_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "scheduler/duration.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/runnable.h"

namespace scheduler::internal {

class TimerHeap {
 public:
  struct Fired {
    Instant deadline;
    Runnable runnable;
  };
  struct Entry {
    Instant deadline;
    uint64_t sequence;
    TaskCoreBase* task;  // owns one Runnable reference
  };

  TimerHeap() = default;
  TimerHeap(const TimerHeap&) = delete;
  TimerHeap& operator=(const TimerHeap&) = delete;
  // Drops what is left (the owner drains first, to drop outside its lock).
  ~TimerHeap();

  void Push(Instant deadline, Runnable runnable);
  // The earliest deadline, if any timer is pending.
  std::optional<Instant> NextDeadline() const {
    if (entries_.empty()) return std::nullopt;
    return entries_[0].deadline;
  }
  // Removes the earliest timer. Must not be empty.
  Fired Pop();
  // Takes `task`'s Runnable out if it is armed here; empty otherwise.
  Runnable Remove(TaskCoreBase* task);

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const std::vector<Entry>& entries() const { return entries_; }  // heap order
  void DrainInto(std::vector<Runnable>& out);

 private:
  static bool Before(const Entry& a, const Entry& b) {
    return a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence;
  }
  void Place(size_t index, const Entry& entry);
  void SiftUp(size_t index);
  void SiftDown(size_t index);
  Runnable TakeAt(size_t index);

  std::vector<Entry> entries_;
  uint64_t next_sequence_ = 0;
};

}  // namespace scheduler::internal

#endif  // TESTING_INTERNAL_TIMER_HEAP_H_
