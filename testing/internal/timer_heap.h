// Internal: the TestScheduler's pending timers, a binary min-heap keyed by
// (deadline, sequence number). The sequence number breaks ties in scheduling
// order, so timers with equal deadlines fire in a deterministic order.
// Push and pop are O(log n).
#ifndef TESTING_INTERNAL_TIMER_HEAP_H_
#define TESTING_INTERNAL_TIMER_HEAP_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "scheduler/duration.h"
#include "scheduler/runnable.h"

namespace scheduler::internal {

class TimerHeap {
 public:
  struct Entry {
    Instant deadline;
    uint64_t sequence;
    Runnable runnable;
  };

  void Push(Instant deadline, Runnable runnable);
  // The earliest deadline, if any timer is pending.
  std::optional<Instant> NextDeadline() const;
  // Removes the earliest timer. Must not be empty.
  Entry Pop();

  size_t size() const { return heap_.size(); }
  bool empty() const { return heap_.empty(); }
  const std::vector<Entry>& entries() const { return heap_; }  // heap order
  void DrainInto(std::vector<Runnable>& out);

 private:
  std::vector<Entry> heap_;
  uint64_t next_sequence_ = 0;
};

}  // namespace scheduler::internal

#endif  // TESTING_INTERNAL_TIMER_HEAP_H_
