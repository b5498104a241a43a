// Bounded exhaustive exploration: it runs exactly the schedules within the
// preemption bound, each once, says when the space is exhausted, finds a
// planted bug at the bound it needs and not below, and refuses a test that is
// not deterministic.
#include "testing/exhaustive.h"

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "executor/executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"
#include "testing/tests/planted_bugs.h"

namespace scheduler {
namespace {

using ::testing::HasSubstr;

// A task of three steps: it logs its name, yields, logs, yields, logs.
Future<void> ThreeSteps(std::string* order, char name) {
  for (int step = 0; step < 3; ++step) {
    if (step > 0) co_await Yield();
    order->push_back(name);
  }
}

// Spawns the two-task, three-step program on `scheduler` and runs it.
void RunTwoByThree(const std::shared_ptr<TestScheduler>& scheduler, std::string* order) {
  Task<void> a = Spawn(scheduler, ThreeSteps(order, 'A'));
  Task<void> b = Spawn(scheduler, ThreeSteps(order, 'B'));
  scheduler->RunUntilParked();
}

std::shared_ptr<TestScheduler> ExhaustiveRun(std::shared_ptr<ScheduleChooser> chooser) {
  return TestScheduler::Create({.strategy = Strategy::kExhaustive, .chooser = std::move(chooser)});
}

struct SearchResult {
  uint64_t schedules = 0;
  bool exhausted = false;
  std::set<std::string> orders;  // distinct interleavings seen
  std::vector<uint64_t> preemptions;
};

// Runs the two-task, three-step program under every schedule of the search.
SearchResult ExploreTwoByThree(int bound) {
  SearchResult result;
  ExhaustiveSearch search({.preemption_bound = bound});
  while (std::shared_ptr<ScheduleChooser> chooser = search.NextSchedule()) {
    auto scheduler = ExhaustiveRun(std::move(chooser));
    std::string order;
    RunTwoByThree(scheduler, &order);
    EXPECT_EQ(scheduler->steps(), 6u) << "each task must take exactly three steps";
    result.orders.insert(order);
    result.preemptions.push_back(scheduler->schedule_stats()->preemptions);
  }
  EXPECT_TRUE(search.status().ok()) << search.status();
  result.schedules = search.schedules_run();
  result.exhausted = search.exhausted();
  return result;
}

TEST(ExhaustiveTest, VisitsExactlyTheInterleavingsOfTwoTasksOfThreeStepsCountedByHand) {
  // By hand. An interleaving of two 3-step tasks is a word of three A's and
  // three B's: C(6,3) = 6! / (3! 3!) = 20 of them. Cut one into r maximal
  // runs of one letter (2 <= r <= 6); of its r - 1 switches, the one after
  // the first-finishing task's last run is free (that task cannot continue),
  // so it has r - 2 preemptions. Words with r runs, starting with A or B
  // (x2), the letters' runs being compositions of 3 into parts:
  //   r=2: 1*1*2 = 2   r=3: (2*1)*2 = 4   r=4: (2*2)*2 = 8
  //   r=5: (1*2)*2 = 4   r=6: 1*1*2 = 2                    total 20
  // So bound 0 (r <= 2) allows 2, bound 1 allows 2+4 = 6, bound 2 allows
  // 6+8 = 14, bound 3 allows 18 and bound 4 all 20.
  struct Case {
    int bound;
    uint64_t expected;
  };
  for (const Case& c :
       {Case{0, 2}, Case{1, 6}, Case{2, 14}, Case{3, 18}, Case{4, 20}, Case{-1, 20}}) {
    SCOPED_TRACE(::testing::Message() << "preemption bound " << c.bound);
    const SearchResult result = ExploreTwoByThree(c.bound);
    EXPECT_EQ(result.schedules, c.expected);
    EXPECT_EQ(result.orders.size(), c.expected) << "a schedule ran twice";
    EXPECT_TRUE(result.exhausted);
    if (c.bound >= 0) {
      for (uint64_t p : result.preemptions) EXPECT_LE(p, static_cast<uint64_t>(c.bound));
    }
  }
}

TEST(ExhaustiveTest, MaxSchedulesStopsTheSearchWithoutClaimingExhaustion) {
  ExhaustiveSearch search({.preemption_bound = -1, .max_schedules = 5});
  uint64_t runs = 0;
  while (std::shared_ptr<ScheduleChooser> chooser = search.NextSchedule()) {
    std::string order;
    RunTwoByThree(ExhaustiveRun(std::move(chooser)), &order);
    ++runs;
  }
  EXPECT_EQ(runs, 5u);
  EXPECT_EQ(search.schedules_run(), 5u);
  EXPECT_FALSE(search.exhausted());
}

// Schedules run until the first failure; 0 if none within the bound.
uint64_t SchedulesToFind(int bound,
                         const std::function<bool(const std::shared_ptr<TestScheduler>&)>& bug) {
  ExhaustiveSearch search({.preemption_bound = bound});
  while (std::shared_ptr<ScheduleChooser> chooser = search.NextSchedule()) {
    if (bug(ExhaustiveRun(std::move(chooser)))) return search.schedules_run();
  }
  EXPECT_TRUE(search.exhausted());
  return 0;
}

TEST(ExhaustiveTest, FindsTheDepthTwoBugAtPreemptionBoundOneAndProvesBoundZeroSafe) {
  EXPECT_EQ(SchedulesToFind(0, planted::DepthTwoBugShows), 0u) << "no preemption cannot expose it";
  const uint64_t at_one = SchedulesToFind(1, planted::DepthTwoBugShows);
  EXPECT_GT(at_one, 0u);
  EXPECT_LE(at_one, 20u) << "the bug is a few schedules deep at bound 1";
}

TEST(ExhaustiveTest, FindsTheDepthThreeBugAtPreemptionBoundTwoAndProvesBoundOneSafe) {
  EXPECT_EQ(SchedulesToFind(1, planted::DepthThreeBugShows), 0u) << "it needs two preemptions";
  EXPECT_GT(SchedulesToFind(2, planted::DepthThreeBugShows), 0u);
}

TEST(ExhaustiveTest, ATestThatIsNotDeterministicStopsTheSearch) {
  ExhaustiveSearch search({.preemption_bound = -1});
  int run = 0;
  while (std::shared_ptr<ScheduleChooser> chooser = search.NextSchedule()) {
    auto scheduler = ExhaustiveRun(std::move(chooser));
    std::string order;
    std::vector<Task<void>> tasks;
    // State that outlives a run: the second run spawns an extra task.
    for (int i = 0; i < (run == 0 ? 2 : 3); ++i) {
      tasks.push_back(Spawn(scheduler, ThreeSteps(&order, static_cast<char>('A' + i))));
    }
    ++run;
    scheduler->RunUntilParked();
  }
  EXPECT_EQ(run, 2);
  EXPECT_FALSE(search.exhausted());
  EXPECT_THAT(search.status().message(), HasSubstr("not deterministic"));
}

TEST(ExhaustiveTest, SpinLoopsEndPastMaxStepsThroughRoundRobin) {
  ExhaustiveSearch search({.preemption_bound = 0, .max_steps = 50});
  std::vector<uint64_t> steps;
  while (std::shared_ptr<ScheduleChooser> chooser = search.NextSchedule()) {
    auto scheduler = ExhaustiveRun(std::move(chooser));
    bool done = false;
    Task<void> spinner = Spawn(scheduler, [&done]() -> Future<void> {
      while (!done) co_await Yield();
    });
    Task<void> setter = Spawn(scheduler, [&done]() -> Future<void> {
      done = true;
      co_return;
    });
    scheduler->RunUntilParked();
    EXPECT_TRUE(spinner.IsReady());
    steps.push_back(scheduler->steps());
  }
  EXPECT_TRUE(search.exhausted());
  // Bound 0: the spinner first, spinning until step 50 hands over to the
  // setter (one more spin ends it); or the setter first, then one spin.
  EXPECT_EQ(steps, (std::vector<uint64_t>{52, 2}));
}

}  // namespace
}  // namespace scheduler
