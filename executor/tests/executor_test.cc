// Executor and ForegroundExecutor: foreground FIFO, thread checks, and test
// controls that are no-ops on production schedulers.
#include "executor/executor.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/tests/simple_thread_pool.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

TEST(ForegroundExecutorTest, TasksOfOneSessionRunInSpawnOrder) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    ForegroundExecutor foreground(scheduler);
    Executor background(scheduler);
    std::vector<int> order;
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 20; ++i) {
      tasks.push_back(foreground.Spawn([&order, i]() -> Future<void> {
        order.push_back(i);
        co_return;
      }));
      // Background noise that may interleave anywhere.
      tasks.push_back(background.Spawn([]() -> Future<void> { co_await Yield(); }));
    }
    scheduler->RunUntilParked();
    std::vector<int> expected;
    for (int i = 0; i < 20; ++i) expected.push_back(i);
    ASSERT_EQ(order, expected) << "seed " << seed;
  }
}

TEST(ForegroundExecutorTest, TwoSessionsInterleaveButEachKeepsItsOrder) {
  auto scheduler = TestScheduler::Create({.seed = 9});
  ForegroundExecutor first(scheduler);
  ForegroundExecutor second(scheduler);
  std::vector<std::string> log;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 10; ++i) {
    tasks.push_back(first.Spawn([&log, i]() -> Future<void> {
      log.push_back("a" + std::to_string(i));
      co_return;
    }));
    tasks.push_back(second.Spawn([&log, i]() -> Future<void> {
      log.push_back("b" + std::to_string(i));
      co_return;
    }));
  }
  scheduler->RunUntilParked();
  std::vector<std::string> a, b;
  for (const std::string& e : log) (e[0] == 'a' ? a : b).push_back(e);
  EXPECT_THAT(a,
              ::testing::ElementsAre("a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"));
  EXPECT_THAT(b,
              ::testing::ElementsAre("b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9"));
}

TEST(ForegroundExecutorTest, ForegroundStepsSeeTheMainThread) {
  auto scheduler = TestScheduler::Create();
  ForegroundExecutor foreground(scheduler);
  Executor background(scheduler);
  bool on_main_in_foreground = false;
  bool on_main_in_background = true;
  Task<void> f = foreground.Spawn([&]() -> Future<void> {
    on_main_in_foreground = foreground.IsMainThread();
    co_return;
  });
  Task<void> b = background.Spawn([&]() -> Future<void> {
    on_main_in_background = background.IsMainThread();
    co_return;
  });
  scheduler->RunUntilParked();
  EXPECT_TRUE(on_main_in_foreground);
  EXPECT_FALSE(on_main_in_background);
}

using ForegroundExecutorDeathTest = ::testing::Test;
// Death-test patterns use \w, not [0-9]: GoogleTest on Windows (the mingw build) matches
// with its simple regex, which has no bracket expressions; glibc's regex knows \w too.

TEST(ForegroundExecutorDeathTest, SpawnFromAnotherThreadAbortsWithTheCallSite) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        ForegroundExecutor foreground(scheduler);
        std::thread other(
            [&] { Task<void> t = foreground.Spawn([]() -> Future<void> { co_return; }); });
        other.join();
      },
      "ForegroundExecutor::Spawn called at .*executor_test.cc:\\w+.* from a thread other than "
      "the one that created the executor at .*executor_test.cc");
}

TEST(ForegroundExecutorDeathTest, TimerFromAnotherThreadAborts) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        ForegroundExecutor foreground(scheduler);
        std::thread other([&] { Task<void> t = foreground.Timer(Duration(1)); });
        other.join();
      },
      "ForegroundExecutor::Timer called at");
}

TEST(ExecutorTest, TestControlsDriveTheTestScheduler) {
  auto scheduler = TestScheduler::Create();
  Executor executor(scheduler);
  int runs = 0;
  Task<void> t = executor.Spawn([&]() -> Future<void> {
    ++runs;
    co_await executor.Timer(std::chrono::seconds(1));
    ++runs;
  });
  EXPECT_EQ(executor.Tick(), std::optional<bool>(true));
  EXPECT_EQ(executor.Tick(), std::optional<bool>(false));
  EXPECT_EQ(runs, 1);
  executor.AdvanceClock(std::chrono::seconds(1));
  EXPECT_EQ(runs, 2);
  EXPECT_TRUE(t.IsReady());
}

TEST(ExecutorTest, TestControlsAreNoOpsOnProductionSchedulers) {
  auto pool = SimpleThreadPool::Create(1);
  Executor executor(pool);
  EXPECT_EQ(executor.test_controls(), nullptr);
  EXPECT_EQ(executor.Tick(), std::nullopt);
  executor.RunUntilParked();
  executor.AdvanceClock(std::chrono::seconds(1));
  executor.Deprioritize(TaskLabel::New());
  // SimulateRandomDelay completes without yielding; the work still runs.
  int value = executor.Block([&]() -> Future<int> {
    co_await executor.SimulateRandomDelay();
    co_return 7;
  });
  EXPECT_EQ(value, 7);
}

TEST(ExecutorTest, SimulateRandomDelayYieldsASeededNumberOfTimes) {
  auto count_steps = [](uint64_t seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    Executor executor(scheduler);
    Task<void> t = executor.Spawn(executor.SimulateRandomDelay());
    scheduler->RunUntilParked();
    return scheduler->steps();
  };
  EXPECT_EQ(count_steps(1), count_steps(1));
  bool varied = false;
  for (uint64_t seed = 2; seed < 20; ++seed) varied |= count_steps(seed) != count_steps(1);
  EXPECT_TRUE(varied);
}

TEST(ExecutorTest, SpawnOnAThreadPoolAndBlock) {
  auto pool = SimpleThreadPool::Create(2);
  Executor executor(pool);
  std::vector<Task<int>> tasks;
  for (int i = 0; i < 100; ++i) {
    tasks.push_back(executor.Spawn([i]() -> Future<int> {
      co_await Yield();
      co_return i;
    }));
  }
  int sum = executor.Block([&]() -> Future<int> {
    int total = 0;
    for (Task<int>& t : tasks) total += co_await std::move(t);
    co_return total;
  });
  EXPECT_EQ(sum, 4950);
}

TEST(ExecutorPriorityTest, SpawnWithPriorityRecordsThePriorityInTheMetadata) {
  auto scheduler = TestScheduler::Create({.seed = 1});
  Executor ex(scheduler);
  Task<int> high = ex.SpawnWithPriority(Priority::kHigh, []() -> Future<int> { co_return 1; });
  Task<int> low = ex.SpawnWithPriority(Priority::kLow, []() -> Future<int> { co_return 2; });
  Task<int> plain = ex.Spawn([]() -> Future<int> { co_return 3; });
  EXPECT_EQ(high.metadata().priority, Priority::kHigh);
  EXPECT_EQ(low.metadata().priority, Priority::kLow);
  EXPECT_EQ(plain.metadata().priority, Priority::kMedium);
  EXPECT_THAT(DescribeTask(high.metadata()), ::testing::HasSubstr("[high]"));
  EXPECT_THAT(DescribeTask(low.metadata()), ::testing::HasSubstr("[low]"));
  EXPECT_THAT(DescribeTask(plain.metadata()), ::testing::Not(::testing::HasSubstr("medium")));
  EXPECT_EQ(ex.Block(std::move(high)) + ex.Block(std::move(low)) + ex.Block(std::move(plain)), 6);
}

}  // namespace
}  // namespace scheduler
