// Internal: how a Linux worker sleeps, on a futex of its own.
#ifndef PLATFORMS_LINUX_INTERNAL_FUTEX_PARKER_H_
#define PLATFORMS_LINUX_INTERNAL_FUTEX_PARKER_H_

#include <atomic>
#include <cstdint>

#include "scheduler/duration.h"

namespace scheduler::dispatcher_internal {

// A one-token parker (like scheduler::Parker) on a single futex word, with an
// absolute deadline on steady_clock (CLOCK_MONOTONIC). Unpark costs one atomic
// exchange, plus a FUTEX_WAKE system call only when the owner is asleep.
//
// States: kEmpty, kNotified (a token waits), kParked (the owner is in, or
// about to enter, FUTEX_WAIT). Park consumes a token if there is one, else
// moves kEmpty -> kParked and sleeps while the word is kParked; Unpark stores
// kNotified and wakes the futex if it replaced kParked. A token left by an
// Unpark that races with Park is never lost: either Park's exchange sees it,
// or FUTEX_WAIT finds the word no longer kParked and returns at once.
//
// Thread-safety: Park by the owner only; Unpark from any thread.
class FutexParker {
 public:
  // Returns when unparked (true, consuming the token) or at `deadline`
  // (false). Instant::max() means no deadline. A kernel wake-up without a
  // token goes back to sleep.
  bool Park(Instant deadline);
  void Unpark();

 private:
  static constexpr uint32_t kEmpty = 0;
  static constexpr uint32_t kNotified = 1;
  static constexpr uint32_t kParked = 2;
  std::atomic<uint32_t> state_{kEmpty};
};

}  // namespace scheduler::dispatcher_internal

#endif  // PLATFORMS_LINUX_INTERNAL_FUTEX_PARKER_H_
