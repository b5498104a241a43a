// Internal: the runnables the driving thread schedules during a step.
//
// A step usually schedules something (a yield re-queues its own task, a send
// wakes a receiver). Taking the scheduler's lock for each of those would cost
// as much as the rest of the step, so the driving thread appends them here
// without a lock and moves them into the ready queue, in order, the next time
// it holds the lock anyway (the next Tick, or any other enqueue).
//
// PROTOCOL (mu = the TestScheduler's mutex):
//   * Only the driving thread calls Push (without mu) and TakeAll (with mu).
//   * Any thread holding mu may call size and ForEach, so observers on other
//     threads still see every scheduled runnable, staged or queued.
//   * Push writes the slot first and then publishes it with a release store of
//     size_; readers load size_ with acquire and touch only slots below it.
//     Slots live in chunks that never move or shrink before the destructor,
//     so a Push never disturbs a slot a reader may be looking at.
//   * TakeAll empties the slots and resets size_ under mu, so no reader is
//     looking; the slots it emptied are reused by later Pushes.
#ifndef TESTING_INTERNAL_STAGED_RUNNABLES_H_
#define TESTING_INTERNAL_STAGED_RUNNABLES_H_

#include <atomic>
#include <cstddef>
#include <memory>

#include "absl/functional/function_ref.h"
#include "scheduler/runnable.h"

namespace scheduler::internal {

class StagedRunnables {
 public:
  StagedRunnables() = default;
  StagedRunnables(const StagedRunnables&) = delete;
  StagedRunnables& operator=(const StagedRunnables&) = delete;

  // Driving thread only.
  void Push(Runnable runnable) {
    const size_t n = size_.load(std::memory_order_relaxed);
    if (n == capacity_) Grow();
    Chunk* chunk = n < kChunkSlots ? &head_ : ChunkFor(n);
    chunk->slots[n % kChunkSlots] = std::move(runnable);
    size_.store(n + 1, std::memory_order_release);
  }

  // Driving thread, holding mu: hands each runnable to `fn` (as Runnable&&,
  // which `fn` must move from) in push order, then empties the log.
  template <typename Fn>
  void TakeAll(Fn fn) {
    const size_t n = size_.load(std::memory_order_relaxed);
    Chunk* chunk = &head_;
    for (size_t i = 0; i < n; ++i) {
      if (i > 0 && i % kChunkSlots == 0) chunk = chunk->next.get();
      fn(std::move(chunk->slots[i % kChunkSlots]));
    }
    size_.store(0, std::memory_order_relaxed);
  }

  // Any thread holding mu (or the driving thread).
  size_t size() const { return size_.load(std::memory_order_acquire); }
  bool empty() const { return size() == 0; }
  void ForEach(absl::FunctionRef<void(const Runnable&)> fn) const;

 private:
  // A step rarely wakes more than a few tasks; the first chunk is inline.
  static constexpr size_t kChunkSlots = 64;
  struct Chunk {
    Runnable slots[kChunkSlots];
    std::unique_ptr<Chunk> next;
  };

  Chunk* ChunkFor(size_t index) const;
  void Grow();

  Chunk head_;
  size_t capacity_ = kChunkSlots;  // driving thread only
  std::atomic<size_t> size_{0};
};

}  // namespace scheduler::internal

#endif  // TESTING_INTERNAL_STAGED_RUNNABLES_H_
