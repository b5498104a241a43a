// Internal: the timer structure every scheduler of this project shares (the
// TestScheduler's fake-clock timers and the production dispatchers' real
// ones).
//
// A binary min-heap of armed Runnables keyed by (deadline, arming order):
// timers with equal deadlines fire in the order they were armed, which both
// the TestScheduler's determinism and the dispatchers' documented tie rule
// rely on. Each entry records its position in its task core (`timer_slot()`,
// see TIMERS in task_core.h), so a timer whose task is cancelled leaves the
// heap at once (`Remove`, called from the owner's `ReclaimCancelledTimer`):
// the heap holds live timers only, memory is bounded by them, and a fake clock
// never jumps to the deadline of a timer nobody waits for. Push, Pop and
// Remove are O(log n).
//
// What the two owners do differently is outside the heap: the TestScheduler
// fires one timer at a time (`Pop`, moving its fake clock to the deadline),
// a dispatcher takes everything due at once (`TakeDue`).
//
// Not thread-safe: the owner guards it, and the task cores' `timer_slot()`
// fields, with its own lock. Runnables taken out are returned to the caller,
// who runs or drops them after unlocking (dropping one cancels its task, whose
// frame's destructors may call back into the owner).
#ifndef SCHEDULER_INTERNAL_TIMER_HEAP_H_
#define SCHEDULER_INTERNAL_TIMER_HEAP_H_

#include <cstddef>
#include <cstdint>
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
    uint64_t sequence;   // arming order
    TaskCoreBase* task;  // owns one Runnable reference
  };

  TimerHeap() = default;
  TimerHeap(const TimerHeap&) = delete;
  TimerHeap& operator=(const TimerHeap&) = delete;
  // Drops every armed Runnable (cancelling its task); owners call `DrainInto`
  // first to drop them outside their lock.
  ~TimerHeap();

  // Arms `runnable` (not empty, not armed elsewhere) for `deadline`.
  void Push(Instant deadline, Runnable runnable);

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  // The earliest deadline; Instant::max() when empty.
  Instant earliest() const { return entries_.empty() ? Instant::max() : entries_[0].deadline; }

  // Removes the earliest timer. Must not be empty.
  Fired Pop();
  // Moves every Runnable due at `now` (deadline <= now) to `due`, earliest
  // first.
  void TakeDue(Instant now, std::vector<Runnable>& due);
  // Takes `task`'s Runnable out if it is armed here; empty otherwise (it fired
  // already, or is armed in another structure).
  Runnable Remove(TaskCoreBase* task);
  // Moves every Runnable to `out` and empties the heap.
  void DrainInto(std::vector<Runnable>& out);

  // In heap order, for diagnostics.
  const std::vector<Entry>& entries() const { return entries_; }

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

#endif  // SCHEDULER_INTERNAL_TIMER_HEAP_H_
