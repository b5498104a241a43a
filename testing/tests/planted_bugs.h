// Planted concurrency bugs of known depth, to measure the strategies on: each
// function runs one small program on `scheduler` (to quiescence) and returns
// whether the bug showed. Used by strategy_test, exhaustive_test, shrink_test
// and the figures of docs/STRATEGIES.md.
//
// Depth (PCT's d) is the number of ordering constraints the bug needs; with a
// non-preemptive default, a bug of depth d needs d-1 preemptions, which is
// the preemption bound at which exhaustive search finds it.
#ifndef TESTING_TESTS_PLANTED_BUGS_H_
#define TESTING_TESTS_PLANTED_BUGS_H_

#include <cstdint>
#include <memory>

#include "testing/test_scheduler.h"

namespace scheduler::planted {

// Depth 2. A publishes a flag (step 1), yields, and clears it (step 2); B
// yields kDepthTwoLongSteps - 1 times, then reads the flag. The bug shows if
// B's last step sees the flag: A is preempted after step 1 for all of B's
// steps. n = 2 tasks, k = kDepthTwoSteps steps.
inline constexpr int kDepthTwoLongSteps = 15;
inline constexpr uint64_t kDepthTwoSteps = 2 + kDepthTwoLongSteps;
bool DepthTwoBugShows(const std::shared_ptr<TestScheduler>& scheduler);

// Depth 3: a stale cache fill (the race that memcache leases exist for). A
// writer invalidates the cache (a1), yields, then writes the store and the
// cache (a2). A reader does kDepthThreeLongSteps - 1 steps of other work,
// then on a cache miss reads the store (b1), yields, and fills the cache
// with what it read (b2). The cache ends stale iff a1 < b1 < a2 < b2: the
// writer is preempted after a1 for all of the reader's work, and the reader
// after b1 until the writer's a2. n = 2 tasks, k = kDepthThreeSteps steps.
inline constexpr int kDepthThreeLongSteps = 15;
inline constexpr uint64_t kDepthThreeSteps = 3 + kDepthThreeLongSteps;
bool DepthThreeBugShows(const std::shared_ptr<TestScheduler>& scheduler);

}  // namespace scheduler::planted

#endif  // TESTING_TESTS_PLANTED_BUGS_H_
