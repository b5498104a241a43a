// Dedicated sessions (executor/dedicated.h): a thread of their own in
// production, a session of their own under the TestScheduler.
#include "executor/dedicated.h"

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "executor/executor.h"
#include "gtest/gtest.h"
#include "platforms/platform_dispatcher.h"
#include "scheduler/oneshot.h"
#include "scheduler/yield.h"
#include "testing/harness.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

// Runs `fn` when destroyed: marks where a cancelled frame was torn down.
struct OnDestroy {
  std::function<void()> fn;
  ~OnDestroy() { fn(); }
};

// --- Production: a thread of its own ---

TEST(DedicatedProductionTest, RootAndLocalChildrenRunOnOneThreadOfTheirOwn) {
  std::shared_ptr<PlatformDispatcher> dispatcher = CreatePlatformDispatcher({.worker_threads = 2});
  Executor ex(dispatcher);
  absl::Mutex mu;
  std::set<std::thread::id> dedicated_threads;
  auto note = [&] {
    absl::MutexLock lock(&mu);
    dedicated_threads.insert(std::this_thread::get_id());
  };
  // Not thread-safe on purpose: only the session's one thread touches it, so
  // TSan would report it if two threads did.
  int unsynchronized_counter = 0;
  Task<int> root = ex.SpawnDedicated([&](LocalExecutor local) -> Future<int> {
    note();
    std::vector<Task<void>> children;
    for (int i = 0; i < 4; ++i) {
      children.push_back(local.Spawn([&]() -> Future<void> {
        for (int j = 0; j < 50; ++j) {
          note();
          ++unsynchronized_counter;
          co_await Yield();
        }
      }));
    }
    co_await local.Timer(milliseconds(1));
    for (Task<void>& child : children) co_await std::move(child);
    note();
    co_return unsynchronized_counter;
  });
  std::set<std::thread::id> pool_threads;
  for (int i = 0; i < 8; ++i) {
    pool_threads.insert(ex.Block(
        ex.Spawn([]() -> Future<std::thread::id> { co_return std::this_thread::get_id(); })));
  }
  EXPECT_EQ(ex.Block(std::move(root)), 200);
  dispatcher->Shutdown();
  ASSERT_EQ(dedicated_threads.size(), 1u) << "every step on the session's one thread";
  const std::thread::id session_thread = *dedicated_threads.begin();
  EXPECT_NE(session_thread, std::this_thread::get_id()) << "not the main thread";
  EXPECT_FALSE(pool_threads.contains(session_thread)) << "not a pool thread";
}

TEST(DedicatedProductionTest, DroppingTheTaskCancelsTheRootAtItsCurrentAwait) {
  std::shared_ptr<PlatformDispatcher> dispatcher = CreatePlatformDispatcher({.worker_threads = 1});
  Executor ex(dispatcher);
  absl::Notification waiting, destroyed;
  bool resumed = false;
  Task<void> root = ex.SpawnDedicated([&](LocalExecutor local) -> Future<void> {
    OnDestroy guard{[&] { destroyed.Notify(); }};
    Task<void> timer = local.Timer(hours(1));
    waiting.Notify();
    co_await std::move(timer);
    resumed = true;
  });
  waiting.WaitForNotification();
  root = Task<void>();              // cancel
  destroyed.WaitForNotification();  // the frame is torn down (here or on its thread)
  EXPECT_FALSE(resumed);
  dispatcher->Shutdown();
}

TEST(DedicatedProductionTest, ADetachedChildOutlivesTheRoot) {
  std::shared_ptr<PlatformDispatcher> dispatcher = CreatePlatformDispatcher({.worker_threads = 1});
  Executor ex(dispatcher);
  auto [tx, rx] = MakeOneshot<int>();
  absl::Notification child_done;
  std::thread::id root_thread, child_thread;
  int received = 0;
  Task<void> root =
      ex.SpawnDedicated([&, rx = std::move(rx)](LocalExecutor local) mutable -> Future<void> {
        root_thread = std::this_thread::get_id();
        local
            .Spawn([&, rx = std::move(rx)]() mutable -> Future<void> {
              absl::StatusOr<int> value = co_await std::move(rx);
              received = value.value_or(-1);
              child_thread = std::this_thread::get_id();
              child_done.Notify();
            })
            .Detach();
        co_return;
      });
  ex.Block(std::move(root));  // the root has finished; the child waits
  EXPECT_FALSE(child_done.HasBeenNotified());
  ASSERT_TRUE(std::move(tx).Send(7).ok());
  child_done.WaitForNotification();
  EXPECT_EQ(received, 7);
  EXPECT_EQ(child_thread, root_thread);
  dispatcher->Shutdown();
}

// --- TestScheduler: a session of its own, deterministic per seed ---

std::string RunSession(uint64_t seed, Strategy strategy) {
  auto scheduler = TestScheduler::Create({.seed = seed, .strategy = strategy});
  Executor ex(scheduler);
  std::string order;
  Task<void> root = ex.SpawnDedicated([&](LocalExecutor local) -> Future<void> {
    order += 'r';
    Task<void> a = local.Spawn([&]() -> Future<void> {
      for (int i = 0; i < 3; ++i) {
        order += 'a';
        co_await Yield();
      }
    });
    Task<void> b = local.Spawn([&]() -> Future<void> {
      order += 'b';
      co_await local.Timer(milliseconds(5));
      order += 'B';
    });
    co_await std::move(a);
    co_await std::move(b);
    order += 'R';
  });
  std::vector<Task<void>> noise;
  for (int i = 0; i < 3; ++i) {
    noise.push_back(ex.Spawn([&]() -> Future<void> {
      order += 'x';
      co_await Yield();
      order += 'y';
    }));
  }
  scheduler->RunUntilParked();
  scheduler->AdvanceClock(milliseconds(5));
  EXPECT_TRUE(root.IsReady()) << order;
  order += '|' + std::to_string(scheduler->trace_hash());
  scheduler->Shutdown();
  return order;
}

TEST(DedicatedTestSchedulerTest, ASeedReplaysTheSameInterleaving) {
  for (Strategy strategy : {Strategy::kRandom, Strategy::kPct}) {
    std::set<std::string> distinct;
    for (uint64_t seed = 0; seed < 60; ++seed) {
      const std::string first = RunSession(seed, strategy);
      EXPECT_EQ(first, RunSession(seed, strategy)) << "seed " << seed;
      distinct.insert(first.substr(0, first.find('|')));
    }
    EXPECT_GT(distinct.size(), 1u) << "the session interleaves with other work by seed";
  }
}

TEST(DedicatedTestSchedulerTest, ItsTasksAreOneSessionOfTheirOwn) {
  auto scheduler = TestScheduler::Create({.seed = 3});
  Executor ex(scheduler);
  ForegroundExecutor fg(scheduler);
  std::optional<SessionId> root_session, child_session;
  Task<void> root = ex.SpawnDedicated([&](LocalExecutor local) -> Future<void> {
    Task<void> child = local.Spawn([]() -> Future<void> { co_return; });
    child_session = child.metadata().session;
    root_session = local.session();
    co_await std::move(child);
  });
  EXPECT_TRUE(root.metadata().session.has_value());
  EXPECT_NE(root.metadata().session, fg.session());
  // A Block of the main session does not stop the dedicated one.
  fg.Block(std::move(root));
  EXPECT_EQ(child_session, root_session);
}

TEST(DedicatedTestSchedulerTest, LocalTasksRunInWakeUpOrder) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    Executor ex(scheduler);
    std::vector<int> order;
    Task<void> root = ex.SpawnDedicated([&](LocalExecutor local) -> Future<void> {
      std::vector<Task<void>> children;
      for (int i = 0; i < 5; ++i) {
        children.push_back(local.Spawn([&order, i]() -> Future<void> {
          order.push_back(i);
          co_return;
        }));
      }
      for (Task<void>& child : children) co_await std::move(child);
    });
    scheduler->RunUntilParked();
    ASSERT_TRUE(root.IsReady());
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4})) << "seed " << seed;
  }
}

SCHEDULER_TEST_WITH(DedicatedHarness, DetachedChildOutlivesTheRootAndDropCancelsRandom,
                    .iterations = 100) {
  Executor ex(scheduler);
  bool child_done = false, cancelled_resumed = false, cancelled_destroyed = false;
  Task<void> root = ex.SpawnDedicated([&](LocalExecutor local) -> Future<void> {
    local
        .Spawn([&, local]() -> Future<void> {
          co_await local.Timer(milliseconds(10));
          child_done = true;
        })
        .Detach();
    co_return;
  });
  Task<void> doomed = ex.SpawnDedicated([&](LocalExecutor local) -> Future<void> {
    OnDestroy guard{[&] { cancelled_destroyed = true; }};
    co_await local.Timer(hours(1));
    cancelled_resumed = true;
  });
  scheduler->RunUntilParked();
  EXPECT_TRUE(root.IsReady());
  EXPECT_FALSE(child_done);
  doomed = Task<void>();
  EXPECT_TRUE(cancelled_destroyed) << "an idle root is torn down at once";
  scheduler->AdvanceClock(milliseconds(10));
  EXPECT_TRUE(child_done);
  EXPECT_FALSE(cancelled_resumed);
}

SCHEDULER_TEST_WITH(DedicatedHarness, DetachedChildOutlivesTheRootAndDropCancelsPct,
                    .iterations = 100, .strategy = Strategy::kPct) {
  Executor ex(scheduler);
  int steps = 0;
  Task<int> root = ex.SpawnDedicated([&](LocalExecutor local) -> Future<int> {
    Task<void> child = local.Spawn([&]() -> Future<void> {
      for (int i = 0; i < 5; ++i) {
        ++steps;
        co_await Yield();
      }
    });
    co_await std::move(child);
    co_return steps;
  });
  std::vector<Task<void>> noise;
  for (int i = 0; i < 3; ++i) noise.push_back(ex.Spawn([]() -> Future<void> { co_await Yield(); }));
  scheduler->RunUntilParked();
  ASSERT_TRUE(root.IsReady());
  EXPECT_EQ(root.TakeResult("test"), 5);
}

TEST(DedicatedDeathTest, ANullSchedulerNamesTheCallSite) {
  EXPECT_DEATH(
      {
        Task<void> task = SpawnDedicated(std::shared_ptr<Scheduler>(),
                                         [](LocalExecutor) -> Future<void> { co_return; });
      },
      "SpawnDedicated with a null scheduler at .*dedicated_test.cc");
}

}  // namespace
}  // namespace scheduler
