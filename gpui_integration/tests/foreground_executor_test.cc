// gpui::ForegroundExecutor: foreground order and thread, every method under
// the TestScheduler, thread checks, and no-op controls in production.
#include "gpui_integration/foreground_executor.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/oneshot.h"
#include "scheduler/tests/simple_thread_pool.h"
#include "scheduler/yield.h"
#include "testing/harness.h"
#include "testing/test_scheduler.h"

namespace gpui {
namespace {

using ::scheduler::Future;
using ::scheduler::Task;
using ::scheduler::TaskLabel;
using ::scheduler::TestScheduler;
using std::chrono::milliseconds;

SCHEDULER_TEST_WITH(ForegroundExecutorTest, TasksRunOnTheMainThreadInSpawnOrder, .iterations = 30) {
  ForegroundExecutor foreground(scheduler);
  std::vector<int> order;
  bool always_main = true;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 10; ++i) {
    tasks.push_back(foreground.Spawn([&, i]() -> Future<void> {
      always_main &= foreground.IsMainThread();
      order.push_back(i);
      co_return;
    }));
    tasks.push_back(
        foreground.background().Spawn([]() -> Future<void> { co_await ::scheduler::Yield(); }));
  }
  foreground.RunUntilParked();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_TRUE(always_main);
}

TEST(ForegroundExecutorTest, ForegroundTaskAwaitsBackgroundWorkAndATimer) {
  auto scheduler = TestScheduler::Create({.seed = 2});
  ForegroundExecutor foreground(scheduler);
  const ::scheduler::Instant start = foreground.Now();
  std::string shown;
  Task<void> ui = foreground.Spawn([&]() -> Future<void> {
    Task<std::string> computed = foreground.background().Spawn(
        []() -> Future<std::string> { co_return std::string("result"); });
    std::string value = co_await std::move(computed);
    co_await foreground.Timer(milliseconds(16));
    shown = value;
  });
  foreground.RunUntilParked();
  EXPECT_EQ(shown, "");
  foreground.AdvanceClock(milliseconds(16));
  EXPECT_EQ(shown, "result");
  EXPECT_EQ(foreground.Now() - start, milliseconds(16));
}

TEST(ForegroundExecutorTest, TickAndDeprioritizeAreForwarded) {
  auto scheduler = TestScheduler::Create({.seed = 8});
  ForegroundExecutor foreground(scheduler);
  const TaskLabel label = TaskLabel::New();
  foreground.Deprioritize(label);
  std::vector<std::string> order;
  Task<void> late = foreground.background().SpawnLabeled(label, [&]() -> Future<void> {
    order.push_back("late");
    co_return;
  });
  Task<void> early = foreground.Spawn([&]() -> Future<void> {
    order.push_back("early");
    co_return;
  });
  EXPECT_EQ(foreground.Tick(), std::optional<bool>(true));
  EXPECT_EQ(foreground.Tick(), std::optional<bool>(true));
  EXPECT_EQ(foreground.Tick(), std::optional<bool>(false));
  EXPECT_EQ(order, (std::vector<std::string>{"early", "late"}));
  EXPECT_TRUE(foreground.IsTest());
}

TEST(ForegroundExecutorTest, BlockKeepsTheSessionsOtherTasksQueued) {
  auto scheduler = TestScheduler::Create({.seed = 4});
  ForegroundExecutor foreground(scheduler);
  bool other_ran = false;
  Task<void> other = foreground.Spawn([&]() -> Future<void> {
    other_ran = true;
    co_return;
  });
  const int value = foreground.Block([&]() -> Future<int> {
    Task<int> work = foreground.background().Spawn([]() -> Future<int> { co_return 6; });
    co_return co_await std::move(work) * 7;
  });
  EXPECT_EQ(value, 42);
  EXPECT_FALSE(other_ran) << "a session blocked in Block does not run its own queued tasks";
  foreground.RunUntilParked();
  EXPECT_TRUE(other_ran);
}

TEST(ForegroundExecutorTest, BlockWithTimeoutAndBlockOnTicks) {
  auto scheduler = TestScheduler::Create();
  ForegroundExecutor foreground(scheduler);
  foreground.SetBlockOnTicks(0, 0);
  Task<int> helper = foreground.background().Spawn([]() -> Future<int> { co_return 1; });
  auto result = foreground.BlockWithTimeout(milliseconds(1),
                                            [&]() -> Future<int> { co_return co_await helper; });
  ASSERT_TRUE(result.timed_out());
  EXPECT_EQ(foreground.Block(std::move(result).TakeUnfinished()), 1);
}

TEST(ForegroundExecutorTest, RandomDelayAndRngAreSeeded) {
  auto run = [](uint64_t seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    ForegroundExecutor foreground(scheduler);
    Task<void> t = foreground.Spawn(foreground.SimulateRandomDelay());
    foreground.RunUntilParked();
    EXPECT_TRUE(t.IsReady());
    return std::make_pair(scheduler->steps(), foreground.Rng()->Below(1'000'000));
  };
  EXPECT_EQ(run(21), run(21));
  EXPECT_NE(run(21), run(22));
}

TEST(ForegroundExecutorTest, ParkingAndWaitingControlsAreForwarded) {
  auto scheduler = TestScheduler::Create(
      {.on_failure = [](const std::string& report) { throw std::runtime_error(report); }});
  ForegroundExecutor foreground(scheduler);
  foreground.AllowParking();
  foreground.ForbidParking();
  foreground.SetWaitingHint("foreground waits for the server");
  foreground.StartWaiting();
  auto [sender, receiver] = ::scheduler::MakeOneshot<int>();
  std::string report;
  try {
    (void)foreground.Block(
        [&]() -> Future<absl::StatusOr<int>> { co_return co_await std::move(receiver); });
  } catch (const std::runtime_error& e) {
    report = e.what();
  }
  foreground.FinishWaiting();
  EXPECT_THAT(report, ::testing::HasSubstr("foreground waits for the server"));
}

TEST(ForegroundExecutorTest, NumCpusIsTheSchedulersAnswer) {
  auto scheduler = TestScheduler::Create({.num_cpus = 3});
  ForegroundExecutor foreground(scheduler);
  EXPECT_EQ(foreground.NumCpus(), 3);
  // Any thread may ask (no thread check): it is the scheduler's constant.
  int from_other_thread = 0;
  std::thread([&] { from_other_thread = foreground.NumCpus(); }).join();
  EXPECT_EQ(from_other_thread, 3);
}

TEST(ForegroundExecutorTest, TestControlsAreNoOpsOnAProductionScheduler) {
  auto pool = ::scheduler::SimpleThreadPool::Create(1);
  ForegroundExecutor foreground(pool);
  EXPECT_FALSE(foreground.IsTest());
  EXPECT_EQ(foreground.Tick(), std::nullopt);
  EXPECT_EQ(foreground.Rng(), std::nullopt);
  foreground.RunUntilParked();
  foreground.AdvanceClock(milliseconds(1));
  foreground.Deprioritize(TaskLabel::New());
  foreground.AllowParking();
  foreground.ForbidParking();
  foreground.SetWaitingHint("x");
  foreground.StartWaiting();
  foreground.FinishWaiting();
  foreground.SetBlockOnTicks(1, 2);
  // Blocking works without a main loop; SimulateRandomDelay completes at once.
  foreground.Block(foreground.SimulateRandomDelay());
  EXPECT_EQ(foreground.Block([]() -> Future<int> { co_return 4; }), 4);
}

using ForegroundExecutorDeathTest = ::testing::Test;

TEST(ForegroundExecutorDeathTest, ControlsFromAnotherThreadAbortWithBothSites) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        ForegroundExecutor foreground(scheduler);
        std::thread other([&] { (void)foreground.Tick(); });
        other.join();
      },
      "gpui::ForegroundExecutor::Tick called at .*foreground_executor_test.cc:[0-9]+.* from a "
      "thread other than the one that created the executor at .*foreground_executor_test.cc");
}

TEST(ForegroundExecutorDeathTest, SpawnFromAnotherThreadAborts) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        ForegroundExecutor foreground(scheduler);
        std::thread other(
            [&] { Task<void> t = foreground.Spawn([]() -> Future<void> { co_return; }); });
        other.join();
      },
      "gpui::ForegroundExecutor::Spawn called at");
}

}  // namespace
}  // namespace gpui
