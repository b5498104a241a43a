// A SchedulerHarness for the deterministic TestScheduler, so the contract
// suite also pins down the behaviour production code is tested against.
//
// Driving ticks the scheduler one step at a time until the body is done and,
// whenever nothing is runnable, moves the fake clock to the next timer; it
// gives up (returns false) when nothing is runnable and no timer is pending.
// Unhandled exceptions arrive through the TestScheduler's `on_failure` hook
// and are handed to the capture sink; any other TestScheduler failure fails
// the test.
#ifndef PLATFORMS_TESTS_TEST_SCHEDULER_HARNESS_H_
#define PLATFORMS_TESTS_TEST_SCHEDULER_HARNESS_H_

#include <cstdint>
#include <memory>

#include "platforms/tests/scheduler_harness.h"

namespace scheduler {

std::unique_ptr<SchedulerHarness> MakeTestSchedulerHarness(uint64_t seed);

}  // namespace scheduler

#endif  // PLATFORMS_TESTS_TEST_SCHEDULER_HARNESS_H_
