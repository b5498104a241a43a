// Internal: the timer structure of the production dispatchers.
#ifndef PLATFORMS_INTERNAL_TIMER_HEAP_H_
#define PLATFORMS_INTERNAL_TIMER_HEAP_H_

#include <cstdint>
#include <vector>

#include "scheduler/duration.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/runnable.h"

namespace scheduler::platform_internal {

// A binary min-heap of armed Runnables keyed by (deadline, arming order), so
// timers with equal deadlines fire in the order they were armed. Each entry
// records its position in its task core (`timer_slot()`), which makes
// removing a cancelled timer O(log n) (see TIMERS in task_core.h): a
// dispatcher's `ReclaimCancelledTimer` calls `Remove`, so the heap holds live
// timers only.
//
// Not thread-safe: the owner guards it with its own lock, and the task cores'
// `timer_slot()` fields with it. Runnables taken out are returned to the
// caller, who runs or drops them after unlocking.
class TimerHeap {
 public:
  TimerHeap() = default;
  TimerHeap(const TimerHeap&) = delete;
  TimerHeap& operator=(const TimerHeap&) = delete;
  // Drops every armed Runnable (cancelling its task); owners call `Clear`
  // first to drop them outside their lock.
  ~TimerHeap();

  void Add(Instant deadline, Runnable runnable);

  // Takes `task`'s Runnable out if it is armed here; empty otherwise.
  Runnable Remove(internal::TaskCoreBase* task);

  // Moves every Runnable due at `now` (deadline <= now) to `due`, earliest
  // first.
  void TakeDue(Instant now, std::vector<Runnable>& due);

  // Moves every Runnable to `drained` and empties the heap.
  void Clear(std::vector<Runnable>& drained);

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  // The earliest deadline; Instant::max() when empty.
  Instant earliest() const { return entries_.empty() ? Instant::max() : entries_[0].deadline; }

 private:
  struct Entry {
    Instant deadline;
    uint64_t sequence;
    internal::TaskCoreBase* task;  // owns one Runnable reference
  };
  static bool Before(const Entry& a, const Entry& b) {
    return a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence;
  }
  void Place(size_t index, Entry entry);
  void SiftUp(size_t index);
  void SiftDown(size_t index);
  Runnable TakeAt(size_t index);

  std::vector<Entry> entries_;
  uint64_t next_sequence_ = 0;
};

}  // namespace scheduler::platform_internal

#endif  // PLATFORMS_INTERNAL_TIMER_HEAP_H_
