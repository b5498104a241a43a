// Internal: a worker's bounded run queue, which other workers steal from.
#ifndef PLATFORMS_LINUX_INTERNAL_LOCAL_QUEUE_H_
#define PLATFORMS_LINUX_INTERNAL_LOCAL_QUEUE_H_

#include <atomic>
#include <cstdint>

#include "scheduler/internal/task_core.h"

namespace scheduler::dispatcher_internal {

// A fixed ring of kCapacity queued Runnables (held as raw core pointers, each
// owning one Runnable reference; see internal::RunnableAccess). One thread,
// the owner, pushes and pops; any thread may steal half of it. The design is
// tokio's local run queue.
//
// PROTOCOL. `tail_` is written by the owner only. `head_` packs two 32-bit
// indices, (steal, real): `real` is the next slot to pop; `steal` trails it
// while a thief is copying slots [steal, real) out, and equals it otherwise.
// Indices grow without bound and wrap modulo 2^32; slots are index % capacity.
//   * Push (owner): writes slot `tail`, then publishes it with a release
//     store of tail+1. It refuses when tail - steal == kCapacity, so it never
//     overwrites a slot a thief is still copying.
//   * Pop (owner): CAS of `real` from r to r+1 (and `steal` with it when no
//     thief is active). Losing the CAS only means a thief moved `real`.
//   * Steal (thief): CAS that advances `real` by half of what is queued while
//     leaving `steal` behind (claiming the slots), copies them into its own
//     queue, then a second CAS moves `steal` up to `real` (releasing them for
//     reuse). While one thief is active others back off (they see steal !=
//     real), so at most one copy is in flight per queue.
// Every slot is an atomic, written before the release store of `tail_` (or of
// the thief's own tail) that publishes it and read after the acquire load
// that observed it, so a Runnable's frame writes happen-before its next run
// wherever it is stolen to.
class LocalQueue {
 public:
  static constexpr uint32_t kCapacity = 256;

  LocalQueue() = default;
  LocalQueue(const LocalQueue&) = delete;
  LocalQueue& operator=(const LocalQueue&) = delete;

  // Owner only. Appends `task`; returns false (leaving it with the caller)
  // when the queue is full.
  bool TryPush(internal::TaskCoreBase* task);

  // Owner only, when TryPush failed: unlinks the oldest half of the queue and
  // returns it as a chain through `queue_next()` (oldest first), with
  // `*count` set to its length, for the caller to move to the shared queue.
  // Returns nullptr if a thief is active (the caller then moves only its new
  // task; the queue is about to have room).
  internal::TaskCoreBase* TakeHalfForOverflow(uint32_t* count);

  // Owner only. The oldest queued task, or nullptr.
  internal::TaskCoreBase* Pop();

  // Called by `dst`'s owner, which must be empty. Moves about half of this
  // queue into `dst` and returns one of them to run, or nullptr if there was
  // nothing to steal (or another thief was busy).
  internal::TaskCoreBase* StealInto(LocalQueue& dst);

  // Approximate length; exact when called by the owner with no thief active.
  uint32_t SizeHint() const;

 private:
  static constexpr uint32_t kMask = kCapacity - 1;
  static uint64_t Pack(uint32_t steal, uint32_t real) {
    return (static_cast<uint64_t>(steal) << 32) | real;
  }
  static uint32_t StealOf(uint64_t head) { return static_cast<uint32_t>(head >> 32); }
  static uint32_t RealOf(uint64_t head) { return static_cast<uint32_t>(head); }

  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint32_t> tail_{0};
  std::atomic<internal::TaskCoreBase*> slots_[kCapacity] = {};
};

}  // namespace scheduler::dispatcher_internal

#endif  // PLATFORMS_LINUX_INTERNAL_LOCAL_QUEUE_H_
