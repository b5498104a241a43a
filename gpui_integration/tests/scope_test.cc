// Scoped spawning: children borrow from the awaiting frame, all are joined
// before Scoped completes, and no child frame outlives a cancelled scope.
#include <atomic>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gpui_integration/background_executor.h"
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

// Counts live instances, so a test can tell whether child frames still exist.
struct FrameProbe {
  explicit FrameProbe(std::atomic<int>* live) : live(live) { live->fetch_add(1); }
  ~FrameProbe() { live->fetch_sub(1); }
  FrameProbe(const FrameProbe&) = delete;
  FrameProbe& operator=(const FrameProbe&) = delete;
  std::atomic<int>* live;
};

SCHEDULER_TEST_WITH(ScopeTest, ChildrenBorrowTheCallersFrameAndAreJoinedBeforeScopedReturns,
                    .iterations = 50, .check_determinism = true) {
  BackgroundExecutor background(scheduler);
  Task<int> task = background.Spawn([&]() -> Future<int> {
    std::vector<int> squares(8, 0);  // borrowed by every child
    co_await background.Scoped([&](Scope& scope) {
      for (int i = 0; i < 8; ++i) {
        scope.Spawn([&, i]() -> Future<void> {
          co_await background.SimulateRandomDelay();
          squares[i] = i * i;
        });
      }
    });
    co_return std::accumulate(squares.begin(), squares.end(), 0);
  });
  background.RunUntilParked();
  ASSERT_TRUE(task.IsReady());
  EXPECT_EQ(task.TakeResult("test"), 140);
}

SCHEDULER_TEST_WITH(ScopeTest, ChildrenMaySpawnMoreChildrenOnTheSameScope, .iterations = 30) {
  BackgroundExecutor background(scheduler);
  std::atomic<int> leaves{0};
  Task<void> task = background.Spawn([&]() -> Future<void> {
    co_await background.Scoped([&](Scope& scope) {
      for (int i = 0; i < 3; ++i) {
        scope.Spawn([&]() -> Future<void> {
          co_await ::scheduler::Yield();
          for (int j = 0; j < 3; ++j) {
            scope.Spawn([&]() -> Future<void> {
              co_await ::scheduler::Yield();
              leaves.fetch_add(1);
            });
          }
        });
      }
    });
    EXPECT_EQ(leaves.load(), 9) << "grandchildren are joined too";
  });
  background.RunUntilParked();
  EXPECT_TRUE(task.IsReady());
}

SCHEDULER_TEST_WITH(ScopeTest, AChildsExceptionIsRethrownAfterEveryChildFinished,
                    .iterations = 30) {
  BackgroundExecutor background(scheduler);
  int finished = 0;
  Task<std::string> task = background.Spawn([&]() -> Future<std::string> {
    try {
      co_await background.Scoped([&](Scope& scope) {
        scope.Spawn([&]() -> Future<void> {
          co_await ::scheduler::Yield();
          throw std::runtime_error("first");
        });
        for (int i = 0; i < 4; ++i) {
          scope.Spawn([&]() -> Future<void> {
            co_await background.SimulateRandomDelay();
            ++finished;
          });
        }
      });
    } catch (const std::runtime_error& e) {
      co_return std::string(e.what()) + " after " + std::to_string(finished);
    }
    co_return std::string("no exception");
  });
  background.RunUntilParked();
  ASSERT_TRUE(task.IsReady());
  EXPECT_EQ(task.TakeResult("test"), "first after 4");
}

SCHEDULER_TEST_WITH(ScopeTest, LabeledChildrenAreDeprioritizedWithTheirLabel, .iterations = 30) {
  BackgroundExecutor background(scheduler);
  const TaskLabel slow = TaskLabel::New();
  background.Deprioritize(slow);
  std::vector<std::string> order;
  Task<void> task = background.Spawn([&]() -> Future<void> {
    co_await background.Scoped([&](Scope& scope) {
      scope.SpawnLabeled(slow, [&]() -> Future<void> {
        order.push_back("slow");
        co_return;
      });
      for (int i = 0; i < 3; ++i) {
        scope.Spawn([&]() -> Future<void> {
          co_await ::scheduler::Yield();
          order.push_back("fast");
        });
      }
    });
  });
  background.RunUntilParked();
  ASSERT_TRUE(task.IsReady());
  EXPECT_EQ(order, (std::vector<std::string>{"fast", "fast", "fast", "slow"}));
}

// The parent is cancelled after a seeded number of steps: children may be
// queued, suspended or done, and the parent itself idle or queued. Its frame
// is destroyed when the cancellation takes effect (at once if it is idle,
// when the scheduler drops its Runnable if it is queued); every child frame
// must be gone before the parent's borrowed locals are destroyed.
SCHEDULER_TEST_WITH(ScopeTest, CancellingTheAwaitingTaskDestroysEveryChildFrameFirst,
                    .iterations = 200) {
  BackgroundExecutor background(scheduler);
  std::atomic<int> live_children{0};
  bool parent_frame_alive = false;
  int children_alive_when_parent_died = -1;
  auto [sender, receiver] = ::scheduler::MakeOneshot<int>();  // never sent: blocks a child
  Task<void> parent = background.Spawn([&]() -> Future<void> {
    // Borrowed by the children; destroyed after the scope.
    struct Borrowed {
      bool* alive;
      std::atomic<int>* live_children;
      int* children_alive_at_death;
      ~Borrowed() {
        *alive = false;
        *children_alive_at_death = live_children->load();
      }
    } borrowed{&parent_frame_alive, &live_children, &children_alive_when_parent_died};
    parent_frame_alive = true;
    co_await background.Scoped([&](Scope& scope) {
      for (int i = 0; i < 4; ++i) {
        scope.Spawn([&]() -> Future<void> {
          FrameProbe probe(&live_children);
          for (int k = 0; k < 3; ++k) {
            co_await ::scheduler::Yield();
            EXPECT_TRUE(*borrowed.alive) << "a child ran after the frame it borrows from died";
          }
        });
      }
      scope.Spawn([&, r = std::move(receiver)]() mutable -> Future<void> {
        FrameProbe probe(&live_children);
        (void)co_await std::move(r);
        ADD_FAILURE() << "nobody sends";
      });
    });
  });
  const uint64_t steps = background.Rng()->Below(14);
  for (uint64_t i = 0; i < steps; ++i) (void)background.Tick();
  parent = Task<void>();  // cancel
  if (!parent_frame_alive) {
    EXPECT_EQ(live_children.load(), 0);
  }
  background.RunUntilParked();  // a queued parent is dropped; leftover pumps find nothing
  EXPECT_FALSE(parent_frame_alive);
  // -1: cancelled before its first step, so no scope and no child existed.
  EXPECT_LE(children_alive_when_parent_died, 0);
  EXPECT_EQ(live_children.load(), 0);
}

TEST(ScopeTest, ShuttingTheSchedulerDownFreesEveryFrame) {
  auto scheduler = TestScheduler::Create({.seed = 1});
  BackgroundExecutor background(scheduler);
  std::atomic<int> live_children{0};
  Task<void> parent = background.Spawn([&]() -> Future<void> {
    co_await background.Scoped([&](Scope& scope) {
      for (int i = 0; i < 4; ++i) {
        scope.Spawn([&]() -> Future<void> {
          FrameProbe probe(&live_children);
          co_await background.Timer(std::chrono::hours(1));
        });
      }
    });
  });
  background.RunUntilParked();
  EXPECT_EQ(live_children.load(), 4);
  scheduler->Shutdown();
  parent = Task<void>();
  EXPECT_EQ(live_children.load(), 0);
}

TEST(ScopeTest, ThrowingCallbackCancelsWhatItSpawned) {
  auto scheduler = TestScheduler::Create();
  BackgroundExecutor background(scheduler);
  std::atomic<int> live_children{0};
  Task<bool> task = background.Spawn([&]() -> Future<bool> {
    try {
      co_await background.Scoped([&](Scope& scope) {
        scope.Spawn([&]() -> Future<void> {
          FrameProbe probe(&live_children);
          co_await ::scheduler::Yield();
        });
        throw std::logic_error("callback failed");
      });
    } catch (const std::logic_error&) {
      co_return live_children.load() == 0;
    }
    co_return false;
  });
  background.RunUntilParked();
  ASSERT_TRUE(task.IsReady());
  EXPECT_TRUE(task.TakeResult("test"));
}

TEST(ScopeTest, RunsInParallelOnAThreadPool) {
  auto pool = ::scheduler::SimpleThreadPool::Create(2);
  BackgroundExecutor background(pool);
  std::vector<int> input(1000);
  std::iota(input.begin(), input.end(), 1);
  std::vector<long> partial(10, 0);
  background.Block(background.Scoped([&](Scope& scope) {
    for (int chunk = 0; chunk < 10; ++chunk) {
      scope.Spawn([&, chunk]() -> Future<void> {
        for (int i = chunk * 100; i < (chunk + 1) * 100; ++i) {
          partial[chunk] += input[i];
          if (i % 25 == 0) co_await ::scheduler::Yield();
        }
      });
    }
  }));
  EXPECT_EQ(std::accumulate(partial.begin(), partial.end(), 0L), 500500);
}

// Real threads: the parent is cancelled from the test thread while a child is
// in the middle of a step on a worker (and the parent's own first step may
// still be running on the other worker). Whoever ends up destroying the
// parent's frame must wait for the child's step: when the borrowed local dies,
// no child frame may be left, and ASan reports any later access to it.
TEST(ScopeTest, CancellationWaitsForAChildStepRunningOnAnotherThread) {
  for (int round = 0; round < 50; ++round) {
    auto pool = ::scheduler::SimpleThreadPool::Create(2);
    BackgroundExecutor background(pool);
    std::atomic<int> live_children{0};
    int children_when_borrowed_died = -1;
    absl::Notification child_running;
    absl::Notification release_child;
    absl::Notification borrowed_died;
    Task<void> parent = background.Spawn([&]() -> Future<void> {
      struct Borrowed {
        std::atomic<int>* live_children;
        int* children_at_death;
        absl::Notification* died;
        int touches = 0;
        ~Borrowed() {
          *children_at_death = live_children->load();
          died->Notify();
        }
      } borrowed{&live_children, &children_when_borrowed_died, &borrowed_died};
      co_await background.Scoped([&](Scope& scope) {
        scope.Spawn([&]() -> Future<void> {
          FrameProbe probe(&live_children);
          child_running.Notify();
          release_child.WaitForNotification();  // a long step
          while (true) {  // never finishes on its own: only cancellation ends it
            ++borrowed.touches;
            co_await ::scheduler::Yield();
          }
        });
      });
    });
    child_running.WaitForNotification();
    std::thread releaser([&] { release_child.Notify(); });
    parent = Task<void>();  // races with the release and with the parent's first step
    borrowed_died.WaitForNotification();
    EXPECT_EQ(children_when_borrowed_died, 0);
    releaser.join();
  }
}

using ScopeDeathTest = ::testing::Test;

TEST(ScopeDeathTest, DestroyingAScopeFromInsideItsOwnChildIsFatal) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        BackgroundExecutor background(scheduler);
        Task<void> parent;
        parent = background.Spawn([&]() -> Future<void> {
          co_await background.Scoped([&](Scope& scope) {
            scope.Spawn([&]() -> Future<void> {
              co_await ::scheduler::Yield();
              parent = Task<void>();  // cancels the task that owns this scope
            });
          });
        });
        background.RunUntilParked();
      },
      "gpui::Scope created at .*scope_test.cc:[0-9]+.* was destroyed from inside a step of one of "
      "its own children");
}

}  // namespace
}  // namespace gpui
