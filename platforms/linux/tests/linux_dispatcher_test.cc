// LinuxDispatcher behaviour beyond the shared contract: its main-loop
// semantics, misuse diagnostics and the fairness bound of the LIFO slot.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "executor/executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platforms/internal/os_dispatchers.h"
#include "platforms/platform_dispatcher.h"
#include "scheduler/block.h"
#include "scheduler/channel.h"
#include "scheduler/oneshot.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"
#include "scheduler/yield.h"

namespace scheduler {
namespace {

using ::testing::ElementsAre;

class LinuxDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(LinuxDispatcherTest, FactoryMakesALinuxDispatcherOnTheCallingThread) {
  std::shared_ptr<PlatformDispatcher> dispatcher = CreatePlatformDispatcher({.worker_threads = 3});
  // Linux's pool honours the thread count (GCD's has none of ours).
  EXPECT_EQ(dispatcher->worker_threads(), 3);
  EXPECT_TRUE(dispatcher->IsMainThread());
  bool other_thread_is_main = true;
  std::thread([&] { other_thread_is_main = dispatcher->IsMainThread(); }).join();
  EXPECT_FALSE(other_thread_is_main);
}

// Once a BlockWithTimeout has given up, wake-ups of the handed-back future
// must not poke the thread that blocked: a stale token would make that
// thread's next Park return at once.
TEST_F(LinuxDispatcherTest, ATimedOutBlockStopsPokingTheBlockingThread) {
  auto dispatcher = CreateLinuxDispatcher({.worker_threads = 1});
  auto [tx, rx] = MakeOneshot<int>();
  BlockResult<int> result = BlockWithTimeout(dispatcher, std::chrono::milliseconds(1),
                                             [rx = std::move(rx)]() mutable -> Future<int> {
                                               absl::StatusOr<int> value = co_await std::move(rx);
                                               co_return value.value();
                                             });
  ASSERT_TRUE(result.timed_out());
  ASSERT_TRUE(std::move(tx).Send(5).ok());  // the future now has a step pending
  EXPECT_FALSE(dispatcher->Park(std::chrono::milliseconds(20))) << "a stale token woke Park";
  EXPECT_EQ(Executor(dispatcher).Block(std::move(result).TakeUnfinished()), 5);
  dispatcher->Shutdown();
}

TEST_F(LinuxDispatcherTest, AQuitBeforeRunIsKeptAndConsumed) {
  auto dispatcher = CreateLinuxDispatcher();
  ForegroundExecutor foreground(dispatcher);
  dispatcher->QuitMainLoop();
  dispatcher->RunMainLoop();  // returns at once: the quit was kept
  // The quit was consumed: this run lasts until the task quits it.
  std::vector<int> ran;
  foreground
      .Spawn([&ran, dispatcher]() -> Future<void> {
        ran.push_back(1);
        co_await Yield();
        ran.push_back(2);
        dispatcher->QuitMainLoop();
      })
      .Detach();
  dispatcher->RunMainLoop();
  EXPECT_THAT(ran, ElementsAre(1, 2));
}

TEST_F(LinuxDispatcherTest, QuitTakesEffectAfterTheCurrentRunnableAndKeepsTheRestInOrder) {
  auto dispatcher = CreateLinuxDispatcher();
  ForegroundExecutor foreground(dispatcher);
  std::vector<int> ran;
  for (int i = 0; i < 5; ++i) {
    foreground
        .Spawn([i, &ran, dispatcher]() -> Future<void> {
          ran.push_back(i);
          if (i == 1) dispatcher->QuitMainLoop();
          co_return;
        })
        .Detach();
  }
  dispatcher->RunMainLoop();
  EXPECT_THAT(ran, ElementsAre(0, 1));
  foreground
      .Spawn([&ran, dispatcher]() -> Future<void> {
        ran.push_back(99);
        dispatcher->QuitMainLoop();
        co_return;
      })
      .Detach();
  dispatcher->RunMainLoop();
  EXPECT_THAT(ran, ElementsAre(0, 1, 2, 3, 4, 99));
}

TEST_F(LinuxDispatcherTest, QuitFromAnotherThreadWakesAnIdleLoop) {
  auto dispatcher = CreateLinuxDispatcher();
  std::atomic<bool> running{false};
  ForegroundExecutor foreground(dispatcher);
  foreground
      .Spawn([&running]() -> Future<void> {
        running.store(true);
        co_return;
      })
      .Detach();
  std::thread quitter([&] {
    while (!running.load()) std::this_thread::yield();  // the loop has started
    dispatcher->QuitMainLoop();
  });
  dispatcher->RunMainLoop();  // idle after the task; must wake for the quit
  quitter.join();
  EXPECT_TRUE(running.load());
}

TEST_F(LinuxDispatcherTest, RunMainLoopOffTheMainThreadIsFatal) {
  auto dispatcher = CreateLinuxDispatcher();
  EXPECT_DEATH(std::thread([&] { dispatcher->RunMainLoop(); }).join(),
               "RunMainLoop called on thread .* main thread is thread .* dispatcher was created at "
               ".*linux_dispatcher_test.cc");
}

TEST_F(LinuxDispatcherTest, ShutdownFromInsideATaskIsFatal) {
  EXPECT_DEATH(
      {
        auto dispatcher = CreateLinuxDispatcher();
        ForegroundExecutor foreground(dispatcher);
        foreground
            .Spawn([dispatcher]() -> Future<void> {
              dispatcher->Shutdown();
              co_return;
            })
            .Detach();
        dispatcher->RunMainLoop();
      },
      "Shutdown called from inside task#");
}

TEST_F(LinuxDispatcherTest, ShutdownOnAWorkerIsFatal) {
  EXPECT_DEATH(
      {
        auto dispatcher = CreateLinuxDispatcher();
        Executor background(dispatcher);
        background.Block([&]() -> Future<void> {
          Task<void> t = background.Spawn([dispatcher]() -> Future<void> {
            dispatcher->Shutdown();
            co_return;
          });
          co_await std::move(t);
        });
      },
      "Shutdown called on one of its own pool threads");
}

// Two tasks that wake each other forever would keep one worker's LIFO slot
// busy; the streak bound still lets a task from the shared queue run.
TEST_F(LinuxDispatcherTest, TasksWakingEachOtherDoNotStarveTheQueue) {
  auto dispatcher = CreateLinuxDispatcher({.worker_threads = 1, .lifo_slot = true});
  Executor background(dispatcher);
  auto [ping_tx, ping_rx] = MakeChannel<int>();
  auto [pong_tx, pong_rx] = MakeChannel<int>();
  std::atomic<bool> stop{false};
  std::atomic<int> hops{0};
  Task<void> echo = background.Spawn(
      [rx = std::move(ping_rx), tx = std::move(pong_tx), &hops]() mutable -> Future<void> {
        while (std::optional<int> v = co_await rx.Recv()) {
          hops.fetch_add(1);
          (void)tx.Send(*v);
        }
      });
  Task<void> driver = background.Spawn(
      [tx = std::move(ping_tx), rx = std::move(pong_rx), &stop]() mutable -> Future<void> {
        while (!stop.load()) {
          (void)tx.Send(0);
          co_await rx.Recv();
        }
      });
  // Spawned from outside the pool, so it waits in the shared queue.
  const int other = background.Block([&]() -> Future<int> {
    Task<int> t = background.Spawn([]() -> Future<int> { co_return 7; });
    co_return co_await std::move(t);
  });
  stop.store(true);
  EXPECT_EQ(other, 7);
  EXPECT_GT(hops.load(), 0) << "the ping-pong was running meanwhile";
  dispatcher->Shutdown();
}

// With one worker the order is deterministic: a task spawns A then B from its
// step. With the LIFO slot, B (the latest) runs first and A, pushed out of the
// slot to the queue, after it; without it both queue up in FIFO order.
std::vector<char> OrderOfTwoSpawnsFromATask(bool lifo_slot) {
  auto dispatcher = CreateLinuxDispatcher({.worker_threads = 1, .lifo_slot = lifo_slot});
  Executor background(dispatcher);
  std::vector<char> order;  // appended to by steps on the single worker
  background.Block([&]() -> Future<void> {
    Task<std::vector<Task<void>>> parent =
        background.Spawn([&]() -> Future<std::vector<Task<void>>> {
          std::vector<Task<void>> children;
          for (char name : {'A', 'B'}) {
            children.push_back(background.Spawn([name, &order]() -> Future<void> {
              order.push_back(name);
              co_return;
            }));
          }
          co_return children;
        });
    std::vector<Task<void>> children = co_await std::move(parent);
    for (Task<void>& child : children) co_await std::move(child);
  });
  dispatcher->Shutdown();
  return order;
}

TEST_F(LinuxDispatcherTest, LifoSlotRunsTheTaskWokenLastFirst) {
  EXPECT_THAT(OrderOfTwoSpawnsFromATask(/*lifo_slot=*/true), ElementsAre('B', 'A'));
  EXPECT_THAT(OrderOfTwoSpawnsFromATask(/*lifo_slot=*/false), ElementsAre('A', 'B'));
}

// A cancelled timer leaves the heap at once: memory follows the live timers,
// not the number ever armed.
TEST_F(LinuxDispatcherTest, CancelledTimersLeaveTheHeapAtOnce) {
  std::shared_ptr<PlatformDispatcher> dispatcher = CreateLinuxDispatcher({.worker_threads = 2});
  Executor ex(dispatcher);
  std::vector<Task<void>> live;
  for (int i = 0; i < 10'000; ++i) {
    Task<void> dropped = ex.Timer(std::chrono::hours(1));
    if (i % 100 == 0) live.push_back(ex.Timer(std::chrono::hours(1)));
    EXPECT_EQ(dispatcher->armed_timers(), live.size() + 1);
  }
  EXPECT_EQ(dispatcher->armed_timers(), 100u);
  live.clear();
  EXPECT_EQ(dispatcher->armed_timers(), 0u);
  dispatcher->Shutdown();
}

// Timers are fired by the workers themselves; one armed while every worker is
// parked still fires, and in deadline order with its peers.
TEST_F(LinuxDispatcherTest, TimersFireWhileEveryWorkerIsParked) {
  std::shared_ptr<PlatformDispatcher> dispatcher = CreateLinuxDispatcher({.worker_threads = 2});
  Executor ex(dispatcher);
  // Before arming: each deadline is then at least start + its delay (taken
  // after arming, start could be later than the deadlines' base, and a timer
  // that fires on time would look early).
  const Instant start = dispatcher->Now();
  Task<void> late = ex.Timer(std::chrono::milliseconds(30));
  Task<void> early = ex.Timer(std::chrono::milliseconds(10));
  ex.Block(std::move(early));
  EXPECT_GE(dispatcher->Now() - start, std::chrono::milliseconds(10));
  EXPECT_FALSE(late.IsReady());
  ex.Block(std::move(late));
  EXPECT_GE(dispatcher->Now() - start, std::chrono::milliseconds(30));
  EXPECT_EQ(dispatcher->armed_timers(), 0u);
  dispatcher->Shutdown();
}

// A due timer is not queued behind a worker's backlog: busy workers fire due
// timers every few picks into a queue taken before their local queue and the
// injector, so the task waiting for the deadline runs long before a backlog
// queued ahead of it drains. (Before, the fired timer went to the back of the
// local queue, here behind all 1,000 spawns.)
TEST_F(LinuxDispatcherTest, ADueTimerRunsAheadOfTheBacklog) {
  constexpr int kBacklog = 1'000;
  std::shared_ptr<PlatformDispatcher> dispatcher = CreateLinuxDispatcher({.worker_threads = 1});
  Executor ex(dispatcher);
  std::atomic<int> ran{0};
  // Spawned, so that the waiter runs on the worker (a Block'ed future would
  // resume on this thread, after the worker had run everything).
  Task<int> waiter = ex.Spawn([&]() -> Future<int> {
    Task<void> timer = ex.Timer(std::chrono::microseconds(1));
    // Due before the backlog exists (a bounded spin on the clock, not a wait
    // for another thread).
    const Instant deadline = ex.Now() + std::chrono::microseconds(1);
    while (ex.Now() <= deadline) {
    }
    for (int i = 0; i < kBacklog; ++i) {
      ex.Spawn([&ran]() -> Future<void> {
          ran.fetch_add(1);
          co_return;
        }).Detach();
    }
    co_await std::move(timer);
    co_return ran.load();
  });
  const int ran_before_the_waiter = ex.Block(std::move(waiter));
  // One worker: the timer is fired within kTimerCheckInterval picks and its
  // waiter runs right after it (a few LIFO runs may come first).
  EXPECT_LT(ran_before_the_waiter, 50);
  dispatcher->Shutdown();
}

}  // namespace
}  // namespace scheduler
