// Test knobs of the stand-in GCD (see include/dispatch/dispatch.h for what the stand-in is).
#ifndef PLATFORMS_MAC_STAND_IN_GCD_CONTROLS_H_
#define PLATFORMS_MAC_STAND_IN_GCD_CONTROLS_H_

#include <chrono>

namespace stand_in_gcd {

// The next `count` calls to dispatch_after_f get timers that fire `by` before their deadline,
// the way GCD's leeway and clock rounding may, so that tests can check that MacDispatcher still
// never runs a timer early. Thread-safe.
void FireNextTimersEarly(int count, std::chrono::nanoseconds by);

// How many timers have fired before their deadline so far. Thread-safe.
int EarlyFires();

}  // namespace stand_in_gcd

#endif  // PLATFORMS_MAC_STAND_IN_GCD_CONTROLS_H_
