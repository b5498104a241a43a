// Priorities under the TestScheduler: a seeded pick weighted 60/30/10 among
// the priority classes that have candidates (testing/internal/run_queue.h),
// so high-priority work runs first in most seeds but not all; labels and
// Deprioritize keep their rule; PCT ignores priorities but runs everything.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "executor/executor.h"
#include "gtest/gtest.h"
#include "scheduler/yield.h"
#include "testing/harness.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

// Spawns one task of each priority (medium first, so spawn order does not
// favour high) and returns the order they ran in, as "HML" letters.
std::string RunOneOfEach(uint64_t seed, Strategy strategy = Strategy::kRandom) {
  auto scheduler = TestScheduler::Create({.seed = seed, .strategy = strategy});
  Executor ex(scheduler);
  std::string order;
  std::vector<Task<void>> tasks;
  for (auto [priority, tag] : {std::pair{Priority::kMedium, 'M'}, std::pair{Priority::kLow, 'L'},
                               std::pair{Priority::kHigh, 'H'}}) {
    tasks.push_back(ex.SpawnWithPriority(priority, [&order, tag]() -> Future<void> {
      order.push_back(tag);
      co_return;
    }));
  }
  scheduler->RunUntilParked();
  scheduler->Shutdown();
  return order;
}

TEST(TestSchedulerPriorityTest, FirstPickIsWeighted60To30To10) {
  constexpr int kSeeds = 2000;
  std::map<char, int> first;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    const std::string order = RunOneOfEach(seed);
    ASSERT_EQ(order.size(), 3u) << "seed " << seed;
    ++first[order[0]];
  }
  // Expected 1200/600/200; the bounds are over 6 standard deviations wide.
  EXPECT_GT(first['H'], 1060);
  EXPECT_LT(first['H'], 1340);
  EXPECT_GT(first['M'], 470);
  EXPECT_LT(first['M'], 730);
  EXPECT_GT(first['L'], 120);
  EXPECT_LT(first['L'], 280);
}

TEST(TestSchedulerPriorityTest, HighRunsFirstInMostSeedsButNotAll) {
  int high_first = 0;
  constexpr int kSeeds = 200;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    Executor ex(scheduler);
    std::string order;
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 3; ++i) {
      tasks.push_back(ex.Spawn([&order]() -> Future<void> {
        order.push_back('M');
        co_return;
      }));
    }
    tasks.push_back(ex.SpawnWithPriority(Priority::kHigh, [&order]() -> Future<void> {
      order.push_back('H');
      co_return;
    }));
    scheduler->RunUntilParked();
    ASSERT_EQ(order.size(), 4u);
    if (order[0] == 'H') ++high_first;
  }
  // 60 / (60 + 30) of the seeds pick the high class first; with uniform
  // picks (no priorities) it would be 1 in 4.
  EXPECT_GT(high_first, kSeeds / 2);
  EXPECT_LT(high_first, kSeeds);
}

TEST(TestSchedulerPriorityTest, ASeedPicksTheSameOrderEveryTime) {
  for (uint64_t seed = 0; seed < 50; ++seed) EXPECT_EQ(RunOneOfEach(seed), RunOneOfEach(seed));
}

TEST(TestSchedulerPriorityTest, PctIgnoresPrioritiesButRunsEverything) {
  std::map<char, int> first;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const std::string order = RunOneOfEach(seed, Strategy::kPct);
    ASSERT_EQ(order.size(), 3u);
    ++first[order[0]];
  }
  EXPECT_GT(first['L'], 0) << "PCT's own priorities decide, so low work can go first";
}

TEST(TestSchedulerPriorityTest, DeprioritizedLabelsStillRunLastWhateverThePriorities) {
  for (uint64_t seed = 0; seed < 100; ++seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    Executor ex(scheduler);
    TaskLabel slow = TaskLabel::New();
    ex.Deprioritize(slow);
    std::string order;
    Task<void> labeled = ex.SpawnLabeled(slow, [&order]() -> Future<void> {
      order.push_back('D');
      co_return;
    });
    Task<void> low = ex.SpawnWithPriority(Priority::kLow, [&order]() -> Future<void> {
      order.push_back('L');
      co_return;
    });
    Task<void> high = ex.SpawnWithPriority(Priority::kHigh, [&order]() -> Future<void> {
      order.push_back('H');
      co_return;
    });
    scheduler->RunUntilParked();
    ASSERT_EQ(order.size(), 3u);
    EXPECT_EQ(order.back(), 'D') << "seed " << seed << ": " << order;
  }
}

TEST(TestSchedulerPriorityTest, ForegroundSessionsKeepFifoAmongPriorityWork) {
  for (uint64_t seed = 0; seed < 100; ++seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    ForegroundExecutor fg(scheduler);
    Executor ex(scheduler);
    std::string order;
    std::vector<Task<void>> tasks;
    for (char c : std::string("abc")) {
      tasks.push_back(fg.Spawn([&order, c]() -> Future<void> {
        order.push_back(c);
        co_return;
      }));
      tasks.push_back(ex.SpawnWithPriority(Priority::kHigh, []() -> Future<void> { co_return; }));
    }
    scheduler->RunUntilParked();
    EXPECT_EQ(order, "abc") << "seed " << seed;
  }
}

// A task keeps its priority across wake-ups: a high-priority task that
// yields repeatedly still wins most picks against medium work (its later
// steps are queued as high too).
TEST(TestSchedulerPriorityTest, PriorityHoldsForEveryStep) {
  auto scheduler = TestScheduler::Create({.seed = 7});
  Executor ex(scheduler);
  std::string order;
  Task<void> high = ex.SpawnWithPriority(Priority::kHigh, [&order]() -> Future<void> {
    for (int i = 0; i < 20; ++i) {
      order.push_back('H');
      co_await Yield();
    }
  });
  std::vector<Task<void>> medium;
  for (int i = 0; i < 20; ++i) {
    medium.push_back(ex.Spawn([&order]() -> Future<void> {
      order.push_back('M');
      co_return;
    }));
  }
  scheduler->RunUntilParked();
  ASSERT_EQ(order.size(), 40u);
  // Of the first 20 steps, about two thirds are high (uniform would be ~1 in
  // 20 for the first, then 1 in 2 at best).
  const int high_in_first_half = std::count(order.begin(), order.begin() + 20, 'H');
  EXPECT_GE(high_in_first_half, 10) << order;
}

// Priority work under the harness, random and PCT: the pick never loses work
// nor breaks a session's order.
SCHEDULER_TEST_WITH(PriorityHarness, AllPrioritiesCompleteRandom, .iterations = 100) {
  Executor ex(scheduler);
  int done = 0;
  std::vector<Task<void>> tasks;
  for (Priority p : {Priority::kLow, Priority::kMedium, Priority::kHigh}) {
    for (int i = 0; i < 3; ++i) {
      tasks.push_back(ex.SpawnWithPriority(p, [&done]() -> Future<void> {
        co_await Yield();
        ++done;
      }));
    }
  }
  scheduler->RunUntilParked();
  EXPECT_EQ(done, 9);
}

SCHEDULER_TEST_WITH(PriorityHarness, AllPrioritiesCompletePct, .iterations = 100,
                    .strategy = Strategy::kPct) {
  Executor ex(scheduler);
  int done = 0;
  std::vector<Task<void>> tasks;
  for (Priority p : {Priority::kLow, Priority::kMedium, Priority::kHigh}) {
    for (int i = 0; i < 3; ++i) {
      tasks.push_back(ex.SpawnWithPriority(p, [&done]() -> Future<void> {
        co_await Yield();
        ++done;
      }));
    }
  }
  scheduler->RunUntilParked();
  EXPECT_EQ(done, 9);
}

}  // namespace
}  // namespace scheduler
