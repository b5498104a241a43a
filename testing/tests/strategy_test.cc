// Ordering guarantees that hold under every strategy, what PCT buys over
// uniform random choice on a bug that needs a long preemption, and what fair
// random guarantees to tests with spin loops.
#include <algorithm>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "executor/executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"
#include "testing/tests/planted_bugs.h"

namespace scheduler {
namespace {

constexpr Strategy kStrategies[] = {Strategy::kRandom, Strategy::kPct, Strategy::kFairRandom};

using Steps = std::vector<std::pair<int, int>>;  // (task, step) in run order

Future<void> YieldingTask(Steps* steps, int id, int count) {
  for (int i = 0; i < count; ++i) {
    steps->emplace_back(id, i);
    co_await Yield();
  }
}

Future<void> Noise(int count) {
  for (int i = 0; i < count; ++i) co_await Yield();
}

// The order one session's runnables must run in: a FIFO where each step of
// a yielding task puts it back at the end.
Steps FifoOrder(const std::vector<int>& step_counts) {
  std::deque<std::pair<int, int>> queue;  // (task, next step)
  for (int id = 0; id < static_cast<int>(step_counts.size()); ++id) queue.emplace_back(id, 0);
  Steps order;
  while (!queue.empty()) {
    auto [id, step] = queue.front();
    queue.pop_front();
    order.emplace_back(id, step);
    if (step + 1 < step_counts[id]) queue.emplace_back(id, step + 1);
  }
  return order;
}

TEST(StrategyTest, EverySessionRunsItsRunnablesInFifoOrder) {
  const std::vector<int> counts = {3, 1, 4, 2, 5};
  const Steps expected = FifoOrder(counts);
  for (Strategy strategy : kStrategies) {
    for (uint64_t seed = 0; seed < 200; ++seed) {
      auto scheduler = TestScheduler::Create(
          {.seed = seed, .strategy = strategy, .pct_depth = 3, .pct_max_steps = 60});
      ForegroundExecutor a(scheduler);
      ForegroundExecutor b(scheduler);
      Executor background(scheduler);
      Steps steps_a, steps_b;
      std::vector<Task<void>> tasks;
      for (int id = 0; id < static_cast<int>(counts.size()); ++id) {
        tasks.push_back(a.Spawn(YieldingTask(&steps_a, id, counts[id])));
        tasks.push_back(background.Spawn(Noise(2)));
        tasks.push_back(b.Spawn(YieldingTask(&steps_b, id, counts[id])));
      }
      scheduler->RunUntilParked();
      ASSERT_EQ(steps_a, expected) << StrategyName(strategy) << " seed " << seed;
      ASSERT_EQ(steps_b, expected) << StrategyName(strategy) << " seed " << seed;
    }
  }
}

TEST(StrategyTest, DeprioritizedTasksRunLast) {
  for (Strategy strategy : kStrategies) {
    for (uint64_t seed = 0; seed < 100; ++seed) {
      auto scheduler = TestScheduler::Create(
          {.seed = seed, .strategy = strategy, .pct_depth = 3, .pct_max_steps = 30});
      Executor executor(scheduler);
      ForegroundExecutor foreground(scheduler);
      const TaskLabel slow = TaskLabel::New();
      executor.Deprioritize(slow);
      std::vector<std::string> log;
      auto record = [&log](std::string what) -> Future<void> {
        log.push_back(what);
        co_return;
      };
      std::vector<Task<void>> tasks;
      tasks.push_back(executor.SpawnLabeled(slow, record("slow")));
      tasks.push_back(executor.SpawnLabeled(slow, record("slow")));
      for (int i = 0; i < 4; ++i) {
        tasks.push_back(executor.Spawn(record("fast")));
        tasks.push_back(foreground.Spawn(record("fast")));
        tasks.push_back(executor.SpawnLabeled(TaskLabel::New(), record("fast")));
      }
      scheduler->RunUntilParked();
      ASSERT_EQ(log.size(), 14u);
      EXPECT_EQ(log[12], "slow") << StrategyName(strategy) << " seed " << seed;
      EXPECT_EQ(log[13], "slow") << StrategyName(strategy) << " seed " << seed;
    }
  }
}

TEST(StrategyTest, AdvanceClockFiresIntermediateTimersAtTheirOwnTimes) {
  for (Strategy strategy : kStrategies) {
    for (uint64_t seed = 0; seed < 20; ++seed) {
      auto scheduler = TestScheduler::Create({.seed = seed, .strategy = strategy});
      Executor executor(scheduler);
      const Instant start = scheduler->Now();
      std::vector<std::pair<int, Duration>> fired;
      std::vector<Task<void>> tasks;
      for (int ms : {50, 10, 30, 20, 40}) {
        tasks.push_back(executor.Spawn([&fired, executor, start, ms]() -> Future<void> {
          co_await executor.Timer(std::chrono::milliseconds(ms));
          fired.emplace_back(ms, executor.Now() - start);
          // A follow-up timer that comes due inside the same advance.
          co_await executor.Timer(std::chrono::milliseconds(1));
          fired.emplace_back(ms + 1, executor.Now() - start);
        }));
      }
      scheduler->RunUntilParked();
      scheduler->AdvanceClock(std::chrono::milliseconds(100));
      ASSERT_EQ(fired.size(), 10u);
      for (size_t i = 0; i < fired.size(); ++i) {
        EXPECT_EQ(fired[i].second, std::chrono::milliseconds(fired[i].first))
            << "timer " << fired[i].first << " ran at the wrong time";
        if (i > 0) {
          EXPECT_LT(fired[i - 1].first, fired[i].first) << "out of deadline order";
        }
      }
      EXPECT_EQ(scheduler->Now() - start, std::chrono::milliseconds(100));
    }
  }
}

// The planted depth-2 bug (planted_bugs.h): A must be preempted between its
// two steps for all of B's kDepthTwoLongSteps steps. With n = 2 tasks and
// k = kDepthTwoSteps steps, PCT with d = 2 hits it with probability >= 1/(n k)
// per seed; uniform random needs B to win kDepthTwoLongSteps coin flips in a
// row.
constexpr uint64_t kPlantedSteps = planted::kDepthTwoSteps;
constexpr uint64_t kPlantedTasks = 2;

bool PlantedBugShows(Strategy strategy, uint64_t seed) {
  auto scheduler = TestScheduler::Create(
      {.seed = seed, .strategy = strategy, .pct_depth = 2, .pct_max_steps = kPlantedSteps});
  const bool bug = planted::DepthTwoBugShows(scheduler);
  if (scheduler->steps() != kPlantedSteps) ADD_FAILURE() << "k is not " << kPlantedSteps;
  return bug;
}

// Seeds tried until the first hit, starting at `base`.
uint64_t SeedsToFirstHit(Strategy strategy, uint64_t base, uint64_t cap) {
  for (uint64_t i = 0; i < cap; ++i) {
    if (PlantedBugShows(strategy, base + i)) return i + 1;
  }
  return cap;
}

TEST(PctTest, FindsTheDepthTwoBugWithinItsBoundAndFarSoonerThanRandom) {
  const double bound = 1.0 / (kPlantedTasks * kPlantedSteps);  // PCT: p >= 1/(n k^(d-1))
  // Hit rate over many seeds, against the guarantee.
  constexpr uint64_t kSeeds = 4000;
  uint64_t pct_hits = 0, random_hits = 0;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    pct_hits += PlantedBugShows(Strategy::kPct, seed);
    random_hits += PlantedBugShows(Strategy::kRandom, seed);
  }
  const double pct_rate = static_cast<double>(pct_hits) / kSeeds;
  EXPECT_GE(pct_rate, 0.75 * bound) << "PCT's per-seed hit rate is below its guarantee";
  // Seeds to the first hit, averaged over several base seeds.
  constexpr int kBases = 8;
  double pct_mean = 0, random_mean = 0;
  for (int b = 0; b < kBases; ++b) {
    const uint64_t base = 1000000ull * (b + 1);
    pct_mean += SeedsToFirstHit(Strategy::kPct, base, 100000) / double{kBases};
    random_mean += SeedsToFirstHit(Strategy::kRandom, base, 100000) / double{kBases};
  }
  std::printf(
      "planted depth-2 bug, n=%d tasks, k=%d steps: PCT(d=2) hit rate %.4f (guarantee >= %.4f), "
      "uniform random %.5f over %d seeds; mean seeds to first hit over %d bases: PCT %.1f, "
      "random %.1f (%.0fx)\n",
      static_cast<int>(kPlantedTasks), static_cast<int>(kPlantedSteps), pct_rate, bound,
      static_cast<double>(random_hits) / kSeeds, static_cast<int>(kSeeds), kBases, pct_mean,
      random_mean, random_mean / pct_mean);
  EXPECT_LE(pct_mean, 2.0 / bound) << "PCT took far longer than its bound predicts";
  EXPECT_GT(random_mean, 10 * pct_mean) << "uniform random was expected to need far more seeds";
}

TEST(PctTest, DepthOneNeverPreemptsAndIsDeterministicPerSeed) {
  // d = 1: no change points, so each task runs to its end once it is the
  // highest-priority runnable: the bug above can never show.
  for (uint64_t seed = 0; seed < 200; ++seed) {
    auto scheduler = TestScheduler::Create(
        {.seed = seed, .strategy = Strategy::kPct, .pct_depth = 1, .pct_max_steps = 10});
    Steps steps;
    Task<void> a = Spawn(scheduler, YieldingTask(&steps, 0, 5));
    Task<void> b = Spawn(scheduler, YieldingTask(&steps, 1, 5));
    scheduler->RunUntilParked();
    ASSERT_EQ(steps.size(), 10u);
    for (int i = 1; i < 5; ++i) ASSERT_EQ(steps[i].first, steps[0].first) << "seed " << seed;
  }
}

// --- Fair random: spinning cannot starve. ---------------------------------
//
// Eight tasks spin on `co_await Yield()` until a worker has taken 30 steps
// (it yields between them). Returns the longest run of steps the worker
// waited between two of its steps, or nullopt if it had not finished after
// 5000 steps (starved).
std::optional<uint64_t> LongestWaitOfTheWorker(const TestSchedulerConfig& config) {
  auto scheduler = TestScheduler::Create(config);
  constexpr int kSpinners = 8;
  constexpr int kWork = 30;
  bool done = false;
  std::vector<uint64_t> worker_steps;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < kSpinners; ++i) {
    tasks.push_back(Spawn(scheduler, [&done]() -> Future<void> {
      while (!done) co_await Yield();
    }));
  }
  tasks.push_back(Spawn(scheduler, [&]() -> Future<void> {
    for (int i = 0; i < kWork; ++i) {
      worker_steps.push_back(scheduler->steps());
      co_await Yield();
    }
    done = true;
  }));
  for (int i = 0; i < 5000 && !done; ++i) scheduler->Tick();
  const bool finished = done;
  done = true;  // let the spinners end
  scheduler->RunUntilParked();
  if (!finished) return std::nullopt;
  uint64_t longest = 0;
  for (size_t i = 1; i < worker_steps.size(); ++i) {
    longest = std::max(longest, worker_steps[i] - worker_steps[i - 1] - 1);
  }
  return longest;
}

TEST(FairRandomTest, ASpinningTaskCannotStarveTheTaskItWaitsFor) {
  constexpr uint64_t kBound = 4;
  // The worker and the 8 spinners are the candidates (n = 9): the worker runs
  // within kBound + n - 1 of its choices.
  constexpr uint64_t kLongestAllowed = kBound + 9 - 1;
  uint64_t random_over = 0;
  uint64_t pct_starved = 0;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    const std::optional<uint64_t> fair = LongestWaitOfTheWorker(
        {.seed = seed, .strategy = Strategy::kFairRandom, .fairness_bound = kBound});
    ASSERT_TRUE(fair.has_value()) << "seed " << seed;
    EXPECT_LE(*fair, kLongestAllowed) << "seed " << seed;
    const std::optional<uint64_t> random =
        LongestWaitOfTheWorker({.seed = seed, .strategy = Strategy::kRandom});
    random_over += random.has_value() && *random > kLongestAllowed;
    pct_starved +=
        !LongestWaitOfTheWorker(
             {.seed = seed, .strategy = Strategy::kPct, .pct_depth = 3, .pct_max_steps = 100})
             .has_value();
  }
  // The contrast that makes the bound worth having: uniform random only
  // makes long waits unlikely, and PCT starves the worker outright whenever a
  // spinner ends up above it for good.
  EXPECT_GT(random_over, 50u) << "uniform random was expected to exceed the bound often";
  EXPECT_GT(pct_starved, 10u) << "PCT was expected to starve the worker on some seeds";
  std::printf(
      "worker waits beyond %llu steps: random on %llu of 100 seeds; PCT starved it on "
      "%llu; fair random never\n",
      static_cast<unsigned long long>(kLongestAllowed),
      static_cast<unsigned long long>(random_over), static_cast<unsigned long long>(pct_starved));
}

}  // namespace
}  // namespace scheduler
