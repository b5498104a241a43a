// gpui::BackgroundExecutor: every method under the TestScheduler, and the
// test controls as no-ops on a production (thread pool) scheduler.
#include "gpui_integration/background_executor.h"

#include <memory>
#include <set>
#include <stdexcept>
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
using ::testing::HasSubstr;

// A failure report thrown out of the scheduler instead of aborting.
struct SchedulerFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::shared_ptr<TestScheduler> ThrowingScheduler(uint64_t seed = 0) {
  return TestScheduler::Create({.seed = seed, .on_failure = [](const std::string& report) {
                                  throw SchedulerFailure(report);
                                }});
}

TEST(BackgroundExecutorTest, SpawnRunsOnABackgroundStepAndYieldsItsValue) {
  auto scheduler = TestScheduler::Create();
  BackgroundExecutor background(scheduler);
  bool on_main = true;
  Task<int> task = background.Spawn([&]() -> Future<int> {
    on_main = background.IsMainThread();
    co_return 42;
  });
  EXPECT_FALSE(task.IsReady()) << "nothing runs until the scheduler is driven";
  background.RunUntilParked();
  ASSERT_TRUE(task.IsReady());
  EXPECT_EQ(task.TakeResult("test"), 42);
  EXPECT_FALSE(on_main);
  EXPECT_TRUE(background.IsMainThread()) << "the test thread, outside a step";
}

SCHEDULER_TEST_WITH(BackgroundExecutorTest, DeprioritizedLabelRunsAfterEverythingElseOnEverySeed,
                    .iterations = 30) {
  BackgroundExecutor background(scheduler);
  const TaskLabel slow = TaskLabel::New();
  background.Deprioritize(slow);
  std::vector<std::string> order;
  std::vector<Task<void>> tasks;
  tasks.push_back(background.SpawnLabeled(slow, [&]() -> Future<void> {
    order.push_back("slow");
    co_return;
  }));
  for (int i = 0; i < 5; ++i) {
    tasks.push_back(background.Spawn([&]() -> Future<void> {
      co_await ::scheduler::Yield();
      order.push_back("fast");
    }));
  }
  background.RunUntilParked();
  ASSERT_EQ(order.size(), 6u);
  EXPECT_EQ(order.back(), "slow");
  EXPECT_EQ(tasks[0].metadata().label, slow);
}

// Zed's spawn_with_priority: the priority reaches the scheduler, whose
// weighted pick runs the high-priority task first in most seeds.
TEST(BackgroundExecutorTest, SpawnWithPriorityReachesTheScheduler) {
  int high_first = 0;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    BackgroundExecutor background(scheduler);
    std::string order;
    Task<void> low =
        background.SpawnWithPriority(::scheduler::Priority::kLow, [&]() -> Future<void> {
          order.push_back('L');
          co_return;
        });
    Task<void> high =
        background.SpawnWithPriority(::scheduler::Priority::kHigh, [&]() -> Future<void> {
          order.push_back('H');
          co_return;
        });
    EXPECT_EQ(high.metadata().priority, ::scheduler::Priority::kHigh);
    background.RunUntilParked();
    ASSERT_EQ(order.size(), 2u);
    if (order[0] == 'H') ++high_first;
  }
  EXPECT_GT(high_first, 75);  // 60 / (60 + 10) of the seeds
  EXPECT_LT(high_first, 100);
}

TEST(BackgroundExecutorTest, TimerCompletesWhenTheFakeClockPassesItsDeadline) {
  auto scheduler = TestScheduler::Create();
  BackgroundExecutor background(scheduler);
  const ::scheduler::Instant start = background.Now();
  ::scheduler::Instant woke_at;
  Task<void> task = background.Spawn([&]() -> Future<void> {
    co_await background.Timer(milliseconds(50));
    woke_at = background.Now();
  });
  background.RunUntilParked();
  background.AdvanceClock(milliseconds(49));
  EXPECT_FALSE(task.IsReady());
  background.AdvanceClock(milliseconds(1));
  EXPECT_TRUE(task.IsReady());
  EXPECT_EQ(woke_at - start, milliseconds(50));
  EXPECT_EQ(background.Now() - start, milliseconds(50));
}

TEST(BackgroundExecutorTest, TickRunsOneStepAtATime) {
  auto scheduler = TestScheduler::Create();
  BackgroundExecutor background(scheduler);
  int steps = 0;
  Task<void> task = background.Spawn([&]() -> Future<void> {
    ++steps;
    co_await ::scheduler::Yield();
    ++steps;
  });
  EXPECT_EQ(background.Tick(), std::optional<bool>(true));
  EXPECT_EQ(steps, 1);
  EXPECT_EQ(background.Tick(), std::optional<bool>(true));
  EXPECT_EQ(steps, 2);
  EXPECT_EQ(background.Tick(), std::optional<bool>(false));
  EXPECT_TRUE(background.IsTest());
}

TEST(BackgroundExecutorTest, BlockDrivesOtherTasksUntilTheFutureCompletes) {
  auto scheduler = TestScheduler::Create({.seed = 3});
  BackgroundExecutor background(scheduler);
  Task<int> helper = background.Spawn([]() -> Future<int> {
    co_await ::scheduler::Yield();
    co_return 20;
  });
  const int value = background.Block([&]() -> Future<int> { co_return 1 + co_await helper; });
  EXPECT_EQ(value, 21);
}

TEST(BackgroundExecutorTest, BlockWithTimeoutHandsBackTheUnfinishedFuture) {
  auto scheduler = TestScheduler::Create();
  BackgroundExecutor background(scheduler);
  // With a budget of zero steps, a future that needs another task to run
  // first cannot finish inside the block.
  background.SetBlockOnTicks(0, 0);
  Task<int> helper = background.Spawn([]() -> Future<int> { co_return 5; });
  auto result = background.BlockWithTimeout(milliseconds(10),
                                            [&]() -> Future<int> { co_return co_await helper; });
  ASSERT_TRUE(result.timed_out());
  Future<int> unfinished = std::move(result).TakeUnfinished();
  background.SetBlockOnTicks(100, 100);
  auto finished = background.BlockWithTimeout(milliseconds(10), std::move(unfinished));
  ASSERT_TRUE(finished.finished()) << "the handed-back future kept its progress";
  EXPECT_EQ(std::move(finished).value(), 5);
}

TEST(BackgroundExecutorTest, SimulateRandomDelayIsSeededAndVariesAcrossSeeds) {
  auto steps_for = [](uint64_t seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    BackgroundExecutor background(scheduler);
    Task<void> t = background.Spawn(background.SimulateRandomDelay());
    background.RunUntilParked();
    EXPECT_TRUE(t.IsReady());
    return scheduler->steps();
  };
  std::set<uint64_t> distinct;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    EXPECT_EQ(steps_for(seed), steps_for(seed));
    distinct.insert(steps_for(seed));
  }
  EXPECT_GT(distinct.size(), 2u);
}

TEST(BackgroundExecutorTest, RngReplaysPerSeedAndStaysInRange) {
  auto draws_for = [](uint64_t seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    BackgroundExecutor background(scheduler);
    std::optional<TestRng> rng = background.Rng();
    EXPECT_TRUE(rng.has_value());
    std::vector<int64_t> draws;
    for (int i = 0; i < 50; ++i) {
      const uint64_t below = rng->Below(7);
      EXPECT_LT(below, 7u);
      const int64_t in_range = rng->InRange(-3, 3);
      EXPECT_GE(in_range, -3);
      EXPECT_LE(in_range, 3);
      draws.push_back(static_cast<int64_t>(below) * 10 + in_range);
    }
    return draws;
  };
  EXPECT_EQ(draws_for(11), draws_for(11));
  EXPECT_NE(draws_for(11), draws_for(12));
  // Every value of a small range shows up.
  auto scheduler = TestScheduler::Create();
  TestRng rng = *BackgroundExecutor(scheduler).Rng();
  std::set<uint64_t> seen;
  for (int i = 0; i < 200; ++i) seen.insert(rng.Below(4));
  EXPECT_EQ(seen, (std::set<uint64_t>{0, 1, 2, 3}));
}

TEST(BackgroundExecutorTest, RngMayBeUsedInsideTaskSteps) {
  auto scheduler = TestScheduler::Create({.seed = 5});
  BackgroundExecutor background(scheduler);
  uint64_t drawn = 0;
  Task<void> t = background.Spawn([&]() -> Future<void> {
    drawn = background.Rng()->Below(1000) + 1;
    co_return;
  });
  background.RunUntilParked();
  EXPECT_GT(drawn, 0u);
}

TEST(BackgroundExecutorTest, ForbiddenParkingFailsAStuckBlockWithHintAndWaitingSite) {
  auto scheduler = ThrowingScheduler();
  BackgroundExecutor background(scheduler);
  background.AllowParking();
  background.ForbidParking();
  auto [sender, receiver] = ::scheduler::MakeOneshot<int>();
  std::string report;
  const int waiting_line = __LINE__ + 4;
  try {
    background.Block([&]() -> Future<void> {
      background.SetWaitingHint("waiting for the index to load");
      background.StartWaiting();
      (void)co_await std::move(receiver);
      background.FinishWaiting();
    });
    ADD_FAILURE() << "the block should have failed";
  } catch (const SchedulerFailure& failure) {
    report = failure.what();
  }
  EXPECT_THAT(report, HasSubstr("waiting for: waiting for the index to load"));
  EXPECT_THAT(report, HasSubstr("waiting since " + std::string(__FILE__) + ":" +
                                std::to_string(waiting_line)));
}

TEST(BackgroundExecutorTest, AllowedParkingWaitsForAnotherThread) {
  auto scheduler = ThrowingScheduler();
  BackgroundExecutor background(scheduler);
  background.AllowParking();
  auto [sender, receiver] = ::scheduler::MakeOneshot<int>();
  std::thread other([s = std::move(sender)]() mutable { (void)std::move(s).Send(9); });
  const absl::StatusOr<int> value = background.Block(
      [&]() -> Future<absl::StatusOr<int>> { co_return co_await std::move(receiver); });
  other.join();
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 9);
}

TEST(BackgroundExecutorTest, WaitingHintOutsideAStepDescribesTheTest) {
  auto scheduler = ThrowingScheduler();
  BackgroundExecutor background(scheduler);
  background.SetWaitingHint("the test waits for a reply");
  const int waiting_line = __LINE__ + 1;
  background.StartWaiting();
  auto [sender, receiver] = ::scheduler::MakeOneshot<int>();
  std::string report;
  try {
    (void)background.Block(
        [&]() -> Future<absl::StatusOr<int>> { co_return co_await std::move(receiver); });
  } catch (const SchedulerFailure& failure) {
    report = failure.what();
  }
  EXPECT_THAT(report, HasSubstr("test waiting for: the test waits for a reply"));
  EXPECT_THAT(report, HasSubstr("test waiting since: " + std::string(__FILE__) + ":" +
                                std::to_string(waiting_line)));
  background.FinishWaiting();
  background.SetWaitingHint("");
  const std::string after = scheduler->DescribeState();
  EXPECT_THAT(after, ::testing::Not(HasSubstr("test waiting since")));
  EXPECT_THAT(after, ::testing::Not(HasSubstr("the test waits for a reply")));
}

TEST(BackgroundExecutorTest, NumCpusIsTheSchedulersAnswer) {
  // Under the TestScheduler: its fixed number, whatever the machine has.
  EXPECT_EQ(BackgroundExecutor(TestScheduler::Create({.num_cpus = 7})).NumCpus(), 7);
  EXPECT_EQ(BackgroundExecutor(TestScheduler::Create()).NumCpus(), 4);
  // In production: the machine's.
  EXPECT_EQ(BackgroundExecutor(::scheduler::SimpleThreadPool::Create(1)).NumCpus(),
            ::scheduler::NumCpus());
}

TEST(BackgroundExecutorTest, TestControlsAreNoOpsOnAProductionScheduler) {
  auto pool = ::scheduler::SimpleThreadPool::Create(2);
  BackgroundExecutor background(pool);
  EXPECT_FALSE(background.IsTest());
  EXPECT_EQ(background.Tick(), std::nullopt);
  EXPECT_EQ(background.Rng(), std::nullopt);
  background.RunUntilParked();
  background.AdvanceClock(milliseconds(5));
  background.Deprioritize(TaskLabel::New());
  background.AllowParking();
  background.ForbidParking();
  background.SetWaitingHint("ignored");
  background.StartWaiting();
  background.FinishWaiting();
  background.SetBlockOnTicks(0, 10);
  // The real pool runs the work; SimulateRandomDelay completes at once.
  const int value = background.Block([&]() -> Future<int> {
    co_await background.SimulateRandomDelay();
    Task<int> inner =
        background.SpawnLabeled(TaskLabel::New(), []() -> Future<int> { co_return 3; });
    co_return co_await std::move(inner);
  });
  EXPECT_EQ(value, 3);
  auto result =
      background.BlockWithTimeout(std::chrono::seconds(30), background.Timer(milliseconds(1)));
  EXPECT_TRUE(result.finished());
}

TEST(BackgroundExecutorDeathTest, SetBlockOnTicksRejectsAnInvertedRange) {
  EXPECT_DEATH(
      {
        auto pool = ::scheduler::SimpleThreadPool::Create(1);
        BackgroundExecutor(pool).SetBlockOnTicks(5, 1);
      },
      "SetBlockOnTicks\\(5, 1\\): need 0 <= min <= max");
}

}  // namespace
}  // namespace gpui
