// The first TestScheduler features: seeded order, fake clock, timers.
#include "testing/test_scheduler.h"

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "executor/executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/channel.h"
#include "scheduler/yield.h"

namespace scheduler {
namespace {

using std::chrono::milliseconds;

std::vector<int> RunOrder(uint64_t seed) {
  auto scheduler = TestScheduler::Create({.seed = seed});
  Executor executor(scheduler);
  std::vector<int> order;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 8; ++i) {
    tasks.push_back(executor.Spawn([&order, i]() -> Future<void> {
      order.push_back(i);
      co_return;
    }));
  }
  scheduler->RunUntilParked();
  return order;
}

TEST(TestSchedulerTest, SameSeedSameOrder) {
  for (uint64_t seed = 0; seed < 20; ++seed) EXPECT_EQ(RunOrder(seed), RunOrder(seed));
}

TEST(TestSchedulerTest, DifferentSeedsGiveDifferentOrders) {
  std::set<std::vector<int>> orders;
  for (uint64_t seed = 0; seed < 50; ++seed) orders.insert(RunOrder(seed));
  EXPECT_GT(orders.size(), 40u);
}

// What the driving thread schedules during a step goes straight into its
// queue, without a lock; the counters other threads read must still see it.
TEST(TestSchedulerTest, TasksWokenDuringAStepAreRunnableForEveryObserver) {
  auto scheduler = TestScheduler::Create({.seed = 3});
  Executor executor(scheduler);
  Task<void> child;
  size_t seen_in_step = 0;
  size_t seen_by_other_thread_in_step = 0;
  uint64_t steps_seen_by_other_thread = 0;
  std::string state_in_step;
  Task<void> parent = executor.Spawn([&]() -> Future<void> {
    child = executor.Spawn([]() -> Future<void> { co_return; });
    seen_in_step = scheduler->runnable_count();
    state_in_step = scheduler->DescribeState();
    std::thread observer([&] {
      seen_by_other_thread_in_step = scheduler->runnable_count();
      steps_seen_by_other_thread = scheduler->steps();
    });
    observer.join();
    co_return;
  });
  ASSERT_TRUE(scheduler->Tick());
  EXPECT_EQ(seen_in_step, 1u);
  EXPECT_EQ(seen_by_other_thread_in_step, 1u);
  EXPECT_EQ(steps_seen_by_other_thread, 1u);
  EXPECT_THAT(state_in_step, testing::HasSubstr("task#" + std::to_string(child.id().value())));
  EXPECT_THAT(state_in_step, testing::HasSubstr("runnable: 1"));
  size_t seen_by_other_thread_after = 0;
  uint64_t hash_seen_by_other_thread = 0;
  std::thread observer([&] {
    seen_by_other_thread_after = scheduler->runnable_count();
    hash_seen_by_other_thread = scheduler->trace_hash();
  });
  observer.join();
  EXPECT_EQ(seen_by_other_thread_after, 1u);
  EXPECT_EQ(hash_seen_by_other_thread, scheduler->trace_hash());
  scheduler->RunUntilParked();
  EXPECT_TRUE(child.IsReady());
}

// A wake from a real thread goes through the inbox and runs at the driving
// thread's next step, with parking allowed; its count is visible at once.
TEST(TestSchedulerTest, ForeignWakesReachTheQueueThroughTheInbox) {
  auto scheduler = TestScheduler::Create({.seed = 8, .allow_parking = true});
  Executor executor(scheduler);
  constexpr int kThreads = 4;
  constexpr int kWakesPerThread = 50;
  std::vector<Sender<int>> senders;
  std::vector<Task<int>> receivers;
  for (int i = 0; i < kThreads; ++i) {
    auto [tx, rx] = MakeChannel<int>();
    senders.push_back(std::move(tx));
    receivers.push_back(executor.Spawn([](Receiver<int> rx) -> Future<int> {
      int sum = 0;
      for (int n = 0; n < kWakesPerThread; ++n) sum += *co_await rx.Recv();
      co_return sum;
    }(std::move(rx))));
  }
  scheduler->RunUntilParked();  // every receiver waits
  std::vector<std::thread> threads;
  for (Sender<int>& tx : senders) {
    threads.emplace_back([tx = std::move(tx)] {
      for (int n = 1; n <= kWakesPerThread; ++n) (void)tx.Send(n);
    });
  }
  // Runs steps as the wakes arrive, parking (for an Unpark) when none is queued.
  const int total = executor.Block([&]() -> Future<int> {
    int sum = 0;
    for (Task<int>& t : receivers) sum += co_await std::move(t);
    co_return sum;
  });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(total, kThreads * kWakesPerThread * (kWakesPerThread + 1) / 2);
  EXPECT_EQ(scheduler->runnable_count(), 0u);
}

// A foreground task a step spawns, and one the test body spawns right after
// on the same session, run in that order.
TEST(TestSchedulerTest, ForegroundTasksSpawnedInAndAfterAStepKeepTheirSessionOrder) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    Executor executor(scheduler);
    ForegroundExecutor foreground(scheduler);
    std::vector<int> order;
    std::vector<Task<void>> tasks;
    Task<void> spawner = executor.Spawn([&]() -> Future<void> {
      tasks.push_back(foreground.Spawn([&]() -> Future<void> {
        order.push_back(1);
        co_return;
      }));
      co_return;
    });
    ASSERT_TRUE(scheduler->Tick());
    tasks.push_back(foreground.Spawn([&]() -> Future<void> {
      order.push_back(2);
      co_return;
    }));
    scheduler->RunUntilParked();
    EXPECT_EQ(order, (std::vector<int>{1, 2})) << "seed " << seed;
  }
}

TEST(TestSchedulerTest, TimersFireInDeadlineOrderAtTheirOwnTimes) {
  auto scheduler = TestScheduler::Create({.seed = 4});
  Executor executor(scheduler);
  const Instant start = scheduler->Now();
  std::vector<std::pair<int, Duration>> fired;
  std::vector<Task<void>> tasks;
  for (int ms : {30, 10, 20, 10, 50}) {
    tasks.push_back(executor.Spawn([&, ms]() -> Future<void> {
      co_await executor.Timer(milliseconds(ms));
      fired.emplace_back(ms, executor.Now() - start);
    }));
  }
  scheduler->RunUntilParked();
  EXPECT_TRUE(fired.empty());
  scheduler->AdvanceClock(milliseconds(25));
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[0].first, 10);
  EXPECT_EQ(fired[1].first, 10);
  EXPECT_EQ(fired[2].first, 20);
  EXPECT_EQ(fired[2].second, milliseconds(20)) << "a timer runs at its own deadline";
  EXPECT_EQ(scheduler->Now() - start, milliseconds(25));
  scheduler->AdvanceClock(milliseconds(100));
  ASSERT_EQ(fired.size(), 5u);
  EXPECT_EQ(fired[3].first, 30);
  EXPECT_EQ(fired[4].first, 50);
  EXPECT_EQ(fired[4].second, milliseconds(50));
}

TEST(TestSchedulerTest, TimerChainsFireWithinOneAdvance) {
  auto scheduler = TestScheduler::Create();
  Executor executor(scheduler);
  int ticks = 0;
  Task<void> t = executor.Spawn([&]() -> Future<void> {
    for (int i = 0; i < 5; ++i) {
      co_await executor.Timer(milliseconds(10));
      ++ticks;
    }
  });
  scheduler->RunUntilParked();
  scheduler->AdvanceClock(milliseconds(35));
  EXPECT_EQ(ticks, 3);
  scheduler->AdvanceClock(milliseconds(15));
  EXPECT_EQ(ticks, 5);
}

TEST(TestSchedulerTest, AdvanceClockToNextTimer) {
  auto scheduler = TestScheduler::Create();
  Executor executor(scheduler);
  Task<void> t = executor.Timer(std::chrono::hours(3));
  const Instant start = scheduler->Now();
  EXPECT_TRUE(scheduler->AdvanceClockToNextTimer());
  EXPECT_EQ(scheduler->Now() - start, std::chrono::hours(3));
  EXPECT_TRUE(t.IsReady());
  EXPECT_FALSE(scheduler->AdvanceClockToNextTimer());
}

TEST(TestSchedulerTest, DeprioritizedLabelRunsLast) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    Executor executor(scheduler);
    const TaskLabel slow = TaskLabel::New();
    executor.Deprioritize(slow);
    std::vector<std::string> log;
    std::vector<Task<void>> tasks;
    tasks.push_back(executor.SpawnLabeled(slow, [&]() -> Future<void> {
      log.push_back("slow");
      co_return;
    }));
    for (int i = 0; i < 5; ++i) {
      tasks.push_back(executor.Spawn([&]() -> Future<void> {
        log.push_back("fast");
        co_return;
      }));
    }
    scheduler->RunUntilParked();
    ASSERT_EQ(log.back(), "slow") << "seed " << seed;
  }
}

TEST(TestSchedulerTest, BlockWithNothingToRunFailsWithPendingTasks) {
  std::string report;
  auto scheduler = TestScheduler::Create({.seed = 77, .on_failure = [&](const std::string& r) {
                                            report = r;
                                            throw std::runtime_error("stuck");
                                          }});
  Executor executor(scheduler);
  auto [tx, rx] = MakeChannel<int>();
  EXPECT_THROW(
      executor.Block([rx = std::move(rx)]() mutable -> Future<void> { co_await rx.Recv(); }),
      std::runtime_error);
  EXPECT_THAT(report, ::testing::HasSubstr("parking is forbidden"));
  EXPECT_THAT(report, ::testing::HasSubstr("seed: 77"));
  EXPECT_THAT(report, ::testing::HasSubstr("test_scheduler_test.cc"));
}

// The queue and the trace are the driving thread's (the step takes no lock),
// so driving or walking them from another thread is refused, not a race.
TEST(TestSchedulerDeathTest, DrivingOrInspectingFromAnotherThreadAborts) {
  auto scheduler = TestScheduler::Create();
  auto on_other_thread = [&](auto fn) {
    std::thread other(fn);
    other.join();
  };
  EXPECT_DEATH(on_other_thread([&] { scheduler->Tick(); }),
               "Tick called on a thread other than the one driving");
  EXPECT_DEATH(on_other_thread([&] { (void)scheduler->DescribeState(); }),
               "DescribeState called on a thread other than the one driving");
  EXPECT_DEATH(on_other_thread([&] { (void)scheduler->trace(); }),
               "trace called on a thread other than the one driving");
  EXPECT_DEATH(on_other_thread([&] { (void)scheduler->schedule(); }),
               "schedule called on a thread other than the one driving");
}

TEST(TestSchedulerDeathTest, ReentrantTickAborts) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        Task<void> t = Spawn(scheduler, [scheduler]() -> Future<void> {
          scheduler->Tick();
          co_return;
        });
        scheduler->RunUntilParked();
      },
      "Tick called while a step is running");
}

}  // namespace
}  // namespace scheduler
