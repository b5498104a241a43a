// Time vocabulary shared by every scheduler.
//
// `Duration` and `Instant` are plain aliases of the standard chrono types so that
// user code can write `std::chrono::milliseconds(5)` anywhere a `Duration` is
// expected. A scheduler's clock (`Scheduler::Now()`) is monotonic; under the
// TestScheduler it is a fake clock that moves only when the test advances it.
#ifndef SCHEDULER_DURATION_H_
#define SCHEDULER_DURATION_H_

#include <chrono>

namespace scheduler {

using Duration = std::chrono::nanoseconds;
using Instant = std::chrono::steady_clock::time_point;

// Adds `d` to `t`, saturating at `Instant::max()` / `Instant::min()` instead of
// overflowing. Every deadline computation in this project goes through here,
// so `Duration::max()` means "never" rather than undefined behaviour.
Instant SaturatingAdd(Instant t, Duration d);

// Clamps negative durations to zero: a timer asked to fire in the past fires
// as soon as possible, which is what Chromium's PostDelayedTask does too.
inline Duration NonNegative(Duration d) { return d < Duration::zero() ? Duration::zero() : d; }

}  // namespace scheduler

#endif  // SCHEDULER_DURATION_H_
