#include "scheduler/internal/timer_heap.h"

#include <cassert>
#include <utility>

namespace scheduler::internal {

TimerHeap::~TimerHeap() {
  std::vector<Runnable> dropped;
  DrainInto(dropped);
}

void TimerHeap::Place(size_t index, const Entry& entry) {
  entry.task->timer_slot() = static_cast<uint32_t>(index);
  entries_[index] = entry;
}

void TimerHeap::SiftUp(size_t index) {
  const Entry entry = entries_[index];
  while (index > 0) {
    const size_t parent = (index - 1) / 2;
    if (!Before(entry, entries_[parent])) break;
    Place(index, entries_[parent]);
    index = parent;
  }
  Place(index, entry);
}

void TimerHeap::SiftDown(size_t index) {
  const Entry entry = entries_[index];
  const size_t n = entries_.size();
  while (true) {
    size_t child = 2 * index + 1;
    if (child >= n) break;
    if (child + 1 < n && Before(entries_[child + 1], entries_[child])) ++child;
    if (!Before(entries_[child], entry)) break;
    Place(index, entries_[child]);
    index = child;
  }
  Place(index, entry);
}

void TimerHeap::Push(Instant deadline, Runnable runnable) {
  TaskCoreBase* task = RunnableAccess::Release(runnable);
  assert(task->timer_slot() == TaskCoreBase::kNoTimerSlot && "a Runnable armed twice");
  entries_.push_back(Entry{deadline, next_sequence_++, task});
  SiftUp(entries_.size() - 1);
}

Runnable TimerHeap::TakeAt(size_t index) {
  TaskCoreBase* task = entries_[index].task;
  task->timer_slot() = TaskCoreBase::kNoTimerSlot;
  const Entry last = entries_.back();
  entries_.pop_back();
  if (index < entries_.size()) {
    Place(index, last);
    // The moved entry may belong above or below its new position.
    if (index > 0 && Before(last, entries_[(index - 1) / 2])) {
      SiftUp(index);
    } else {
      SiftDown(index);
    }
  }
  return RunnableAccess::Adopt(task);
}

TimerHeap::Fired TimerHeap::Pop() {
  const Instant deadline = entries_[0].deadline;
  return Fired{deadline, TakeAt(0)};
}

void TimerHeap::TakeDue(Instant now, std::vector<Runnable>& due) {
  while (!entries_.empty() && entries_[0].deadline <= now) due.push_back(TakeAt(0));
}

Runnable TimerHeap::Remove(TaskCoreBase* task) {
  const uint32_t slot = task->timer_slot();
  if (slot == TaskCoreBase::kNoTimerSlot || slot >= entries_.size() ||
      entries_[slot].task != task) {
    return Runnable();
  }
  return TakeAt(slot);
}

void TimerHeap::DrainInto(std::vector<Runnable>& out) {
  for (Entry& entry : entries_) {
    entry.task->timer_slot() = TaskCoreBase::kNoTimerSlot;
    out.push_back(RunnableAccess::Adopt(entry.task));
  }
  entries_.clear();
}

}  // namespace scheduler::internal
