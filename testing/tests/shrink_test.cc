// Shrinking: from the long schedule of a failing random seed it finds the
// simplest failing schedule of a planted bug, the result keeps the failure,
// and a failure that does not replay is left alone.
#include "testing/shrink.h"

#include <functional>
#include <memory>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "testing/test_scheduler.h"
#include "testing/tests/planted_bugs.h"

namespace scheduler {
namespace {

using BugShows = bool (*)(const std::shared_ptr<TestScheduler>&);

// The first seed whose uniform random run shows the bug, with its schedule.
Schedule FirstFailingRandomSchedule(BugShows bug, uint64_t max_seeds) {
  for (uint64_t seed = 0; seed < max_seeds; ++seed) {
    auto scheduler = TestScheduler::Create({.seed = seed, .record_schedule = true});
    if (bug(scheduler)) return scheduler->schedule();
  }
  ADD_FAILURE() << "no seed below " << max_seeds << " shows the bug";
  return Schedule{};
}

ReplayFunction ReplayOf(BugShows bug) {
  return [bug](const Schedule& schedule) {
    auto scheduler = TestScheduler::Create(ReplayConfig(schedule));
    const bool failed = bug(scheduler);
    return OutcomeOf(*scheduler, failed);
  };
}

bool StillFails(BugShows bug, const Schedule& schedule) {
  return bug(TestScheduler::Create(ReplayConfig(schedule)));
}

TEST(ShrinkTest, ShrinksTheDepthTwoBugToOnePreemptionInTwoSteps) {
  const Schedule failing = FirstFailingRandomSchedule(planted::DepthTwoBugShows, 100000);
  ASSERT_EQ(failing.steps.size(), planted::kDepthTwoSteps);
  const ShrinkResult r = ShrinkSchedule(failing, ReplayOf(planted::DepthTwoBugShows));
  ASSERT_TRUE(r.reproduced);
  EXPECT_TRUE(StillFails(planted::DepthTwoBugShows, r.shrunk)) << r.shrunk.ToString();
  // The simplest failing schedule, by hand: A's first step, then one
  // preemption to B (step 2), whose remaining steps and A's last step are the
  // replay default. So 1 preemption and 2 explicit steps, "s:1.2".
  EXPECT_EQ(r.shrunk_stats.preemptions, 1u);
  EXPECT_EQ(r.shrunk_stats.explicit_steps, 2u);
  EXPECT_EQ(r.shrunk.ToString(), absl::StrCat(failing.seed, ":1.2"));
  EXPECT_GE(r.original_stats.preemptions, r.shrunk_stats.preemptions);
  EXPECT_LE(r.runs, ShrinkOptions{}.max_runs);
}

TEST(ShrinkTest, ShrinksTheDepthThreeBugToTwoPreemptionsAndKeepsTheFailure) {
  const Schedule failing = FirstFailingRandomSchedule(planted::DepthThreeBugShows, 1000000);
  const ShrinkResult r = ShrinkSchedule(failing, ReplayOf(planted::DepthThreeBugShows));
  ASSERT_TRUE(r.reproduced);
  EXPECT_TRUE(StillFails(planted::DepthThreeBugShows, r.shrunk)) << r.shrunk.ToString();
  // a1 | b... b1 | a2 | b2: two preemptions; the second is at step
  // 1 + kDepthThreeLongSteps + 1 (A's a2 right after B's b1).
  EXPECT_EQ(r.shrunk_stats.preemptions, 2u)
      << r.original.ToString() << " -> " << r.shrunk.ToString();
  EXPECT_EQ(r.shrunk_stats.explicit_steps, 2u + planted::kDepthThreeLongSteps);
  EXPECT_LT(r.shrunk_stats.preemptions, r.original_stats.preemptions);
}

TEST(ShrinkTest, AFailureThatDoesNotReplayIsLeftAlone) {
  const Schedule failing = FirstFailingRandomSchedule(planted::DepthTwoBugShows, 100000);
  uint64_t calls = 0;
  const ShrinkResult r = ShrinkSchedule(failing, [&](const Schedule& schedule) {
    ++calls;
    auto scheduler = TestScheduler::Create(ReplayConfig(schedule));
    planted::DepthTwoBugShows(scheduler);
    return OutcomeOf(*scheduler, /*failed=*/false);
  });
  EXPECT_FALSE(r.reproduced);
  EXPECT_EQ(calls, 1u);
  EXPECT_EQ(r.shrunk, r.original);
}

TEST(ShrinkTest, StopsAtTheRunBudget) {
  const Schedule failing = FirstFailingRandomSchedule(planted::DepthTwoBugShows, 100000);
  uint64_t calls = 0;
  const ReplayFunction replay = ReplayOf(planted::DepthTwoBugShows);
  const ShrinkResult r = ShrinkSchedule(failing,
                                        [&](const Schedule& s) {
                                          ++calls;
                                          return replay(s);
                                        },
                                        {.max_runs = 3});
  EXPECT_EQ(calls, 3u);
  EXPECT_EQ(r.runs, 3u);
  EXPECT_TRUE(StillFails(planted::DepthTwoBugShows, r.shrunk));
}

}  // namespace
}  // namespace scheduler
