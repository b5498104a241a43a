// Test-only: makes the real libdispatch fire MacDispatcher's timers early, the way GCD's leeway
// and clock rounding may, so that tests can check that MacDispatcher still never runs a timer
// before its deadline. Works by wrapping dispatch_after_f at link time (-Wl,--wrap, see
// :early_timers in BUILD.bazel): a test using it must be linked statically (linkstatic = True)
// so that MacDispatcher's calls are resolved in the test's own link.
#ifndef PLATFORMS_MAC_TESTS_EARLY_TIMERS_H_
#define PLATFORMS_MAC_TESTS_EARLY_TIMERS_H_

#include <chrono>

namespace early_timers {

// The next `count` calls to dispatch_after_f are handed to libdispatch `by` before the time they
// ask for. Thread-safe.
void FireNextTimersEarly(int count, std::chrono::nanoseconds by);

// How many callbacks of the shifted calls libdispatch has run before the time originally asked
// for, so far. Thread-safe.
int EarlyFires();

}  // namespace early_timers

#endif  // PLATFORMS_MAC_TESTS_EARLY_TIMERS_H_
