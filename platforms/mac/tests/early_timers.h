// Test-only: makes the real libdispatch fire MacDispatcher's timer source early, the way GCD's
// leeway and clock rounding may, so that tests can check that MacDispatcher still never runs a
// timer before its deadline. Works by wrapping dispatch_source_set_timer and
// dispatch_source_set_event_handler_f at link time (-Wl,--wrap, see :early_timers in
// BUILD.bazel): a test using it must be linked statically (linkstatic = True) so that
// MacDispatcher's calls are resolved in the test's own link.
#ifndef PLATFORMS_MAC_TESTS_EARLY_TIMERS_H_
#define PLATFORMS_MAC_TESTS_EARLY_TIMERS_H_

#include <chrono>

namespace early_timers {

// The next `count` calls to dispatch_source_set_timer with a finite start are handed to
// libdispatch `by` before the time they ask for. Thread-safe.
void FireNextTimersEarly(int count, std::chrono::nanoseconds by);

// How many times libdispatch has called a source's handler before the time a shifted
// dispatch_source_set_timer originally asked for, so far. Thread-safe.
int EarlyFires();

}  // namespace early_timers

#endif  // PLATFORMS_MAC_TESTS_EARLY_TIMERS_H_
