#include "platforms/linux/internal/local_queue.h"

#include <cassert>

namespace scheduler::dispatcher_internal {

using internal::TaskCoreBase;

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kAcquire = std::memory_order_acquire;
constexpr auto kRelease = std::memory_order_release;
constexpr auto kAcqRel = std::memory_order_acq_rel;

bool LocalQueue::TryPush(TaskCoreBase* task) {
  const uint32_t tail = tail_.load(kRelaxed);  // only we write it
  const uint32_t steal = StealOf(head_.load(kAcquire));
  if (tail - steal >= kCapacity) return false;
  slots_[tail & kMask].store(task, kRelaxed);
  tail_.store(tail + 1, kRelease);
  return true;
}

TaskCoreBase* LocalQueue::TakeHalfForOverflow(uint32_t* count) {
  const uint32_t tail = tail_.load(kRelaxed);
  uint64_t head = head_.load(kAcquire);
  const uint32_t real = RealOf(head);
  if (StealOf(head) != real) return nullptr;  // a thief is making room
  const uint32_t n = (tail - real) / 2;
  if (n == 0) return nullptr;
  // Claim [real, real + n) the way a thief would, but in one step: nobody else
  // can be copying (steal == real), so steal moves along with real.
  if (!head_.compare_exchange_strong(head, Pack(real + n, real + n), kAcqRel, kAcquire)) {
    return nullptr;  // a thief started meanwhile
  }
  TaskCoreBase* first = slots_[real & kMask].load(kRelaxed);
  TaskCoreBase* last = first;
  for (uint32_t i = 1; i < n; ++i) {
    TaskCoreBase* next = slots_[(real + i) & kMask].load(kRelaxed);
    last->queue_next() = next;
    last = next;
  }
  last->queue_next() = nullptr;
  *count = n;
  return first;
}

TaskCoreBase* LocalQueue::Pop() {
  uint64_t head = head_.load(kAcquire);
  while (true) {
    const uint32_t steal = StealOf(head);
    const uint32_t real = RealOf(head);
    if (real == tail_.load(kRelaxed)) return nullptr;
    const uint32_t next_real = real + 1;
    const uint64_t next = steal == real ? Pack(next_real, next_real) : Pack(steal, next_real);
    if (head_.compare_exchange_weak(head, next, kAcqRel, kAcquire)) {
      return slots_[real & kMask].load(kRelaxed);
    }
  }
}

TaskCoreBase* LocalQueue::StealInto(LocalQueue& dst) {
  const uint32_t dst_tail = dst.tail_.load(kRelaxed);
  assert(dst_tail == RealOf(dst.head_.load(kRelaxed)) && "StealInto needs an empty destination");
  uint64_t head = head_.load(kAcquire);
  uint32_t first;
  uint32_t n;
  uint64_t claimed;
  while (true) {
    const uint32_t steal = StealOf(head);
    const uint32_t real = RealOf(head);
    if (steal != real) return nullptr;  // another thief is copying
    const uint32_t tail = tail_.load(kAcquire);
    n = tail - real;
    n -= n / 2;  // half, rounded up: a queue of one can be stolen
    if (n == 0) return nullptr;
    if (n > kCapacity / 2) n = kCapacity / 2;  // a racing view; never more than fits
    claimed = Pack(steal, real + n);
    if (head_.compare_exchange_weak(head, claimed, kAcqRel, kAcquire)) {
      first = real;
      break;
    }
  }
  for (uint32_t i = 0; i < n; ++i) {
    dst.slots_[(dst_tail + i) & kMask].store(slots_[(first + i) & kMask].load(kRelaxed), kRelaxed);
  }
  // Release the claimed slots: steal catches up with real (which the owner may
  // have advanced meanwhile by popping).
  head = claimed;
  while (true) {
    const uint32_t real = RealOf(head);
    if (head_.compare_exchange_weak(head, Pack(real, real), kAcqRel, kAcquire)) break;
  }
  // Keep the newest stolen task to run now; publish the rest.
  --n;
  TaskCoreBase* run_now = dst.slots_[(dst_tail + n) & kMask].load(kRelaxed);
  if (n > 0) dst.tail_.store(dst_tail + n, kRelease);
  return run_now;
}

uint32_t LocalQueue::SizeHint() const {
  const uint32_t tail = tail_.load(kAcquire);
  const uint32_t real = RealOf(head_.load(kAcquire));
  return tail - real;
}

}  // namespace scheduler::dispatcher_internal
