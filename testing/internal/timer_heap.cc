#include "testing/internal/timer_heap.h"

#include <algorithm>

namespace scheduler::internal {
namespace {

// std::*_heap build a max-heap, so "less" means "fires later".
bool FiresLater(const TimerHeap::Entry& a, const TimerHeap::Entry& b) {
  if (a.deadline != b.deadline) return a.deadline > b.deadline;
  return a.sequence > b.sequence;
}

}  // namespace

void TimerHeap::Push(Instant deadline, Runnable runnable) {
  heap_.push_back(Entry{deadline, next_sequence_++, std::move(runnable)});
  std::push_heap(heap_.begin(), heap_.end(), FiresLater);
}

std::optional<Instant> TimerHeap::NextDeadline() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.front().deadline;
}

TimerHeap::Entry TimerHeap::Pop() {
  std::pop_heap(heap_.begin(), heap_.end(), FiresLater);
  Entry entry = std::move(heap_.back());
  heap_.pop_back();
  return entry;
}

void TimerHeap::DrainInto(std::vector<Runnable>& out) {
  for (Entry& e : heap_) out.push_back(std::move(e.runnable));
  heap_.clear();
}

}  // namespace scheduler::internal
