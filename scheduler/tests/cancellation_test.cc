// Cancellation by dropping a Task: frames are destroyed, destructors run, and
// nothing is resumed afterwards, whether the task was queued, suspended on a
// timer, or running on another thread.
#include <atomic>
#include <memory>
#include <thread>
#include <utility>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "scheduler/block.h"
#include "scheduler/channel.h"
#include "scheduler/oneshot.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"
#include "scheduler/tests/simple_thread_pool.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

// Counts live instances, so a test can see a frame's locals being destroyed.
struct Tracked {
  explicit Tracked(std::atomic<int>* live) : live(live) { live->fetch_add(1); }
  ~Tracked() { live->fetch_sub(1); }
  std::atomic<int>* live;
};

TEST(CancellationTest, DroppingAQueuedTaskNeverRunsIt) {
  auto scheduler = TestScheduler::Create();
  bool ran = false;
  {
    Task<void> task = Spawn(scheduler, [&]() -> Future<void> {
      ran = true;
      co_return;
    });
    EXPECT_EQ(scheduler->runnable_count(), 1u);
  }
  scheduler->RunUntilParked();
  EXPECT_FALSE(ran);
  EXPECT_TRUE(scheduler->PendingTasks().empty());
}

TEST(CancellationTest, DroppingATaskSuspendedOnATimerDestroysItsFrame) {
  auto scheduler = TestScheduler::Create();
  std::atomic<int> live{0};
  bool resumed = false;
  auto s = scheduler;
  Task<void> task = Spawn(s, [s, &live, &resumed]() -> Future<void> {
    Tracked local(&live);
    co_await Timer(s, std::chrono::seconds(5));
    resumed = true;
  });
  scheduler->RunUntilParked();
  ASSERT_EQ(live.load(), 1) << "the task is suspended with its local alive";
  const TaskId id = task.id();
  task = Task<void>();  // drop it while idle: the frame dies right here
  EXPECT_EQ(live.load(), 0);
  EXPECT_FALSE(scheduler->IsTaskRunning(id));
  scheduler->AdvanceClock(std::chrono::seconds(10));
  EXPECT_FALSE(resumed);
}

TEST(CancellationTest, NestedFramesAreDestroyedInnermostFirst) {
  auto scheduler = TestScheduler::Create();
  std::atomic<int> live{0};
  auto s = scheduler;
  auto inner = [](std::shared_ptr<TestScheduler> s, std::atomic<int>* live) -> Future<void> {
    Tracked local(live);
    co_await Timer(s, std::chrono::seconds(1));
  };
  Task<void> task = Spawn(s, [s, &live, inner]() -> Future<void> {
    Tracked outer_local(&live);
    co_await inner(s, &live);
  });
  scheduler->RunUntilParked();
  ASSERT_EQ(live.load(), 2);
  task = Task<void>();
  EXPECT_EQ(live.load(), 0);
}

TEST(CancellationTest, DroppingTheLastReferenceFreesQueuedFrames) {
  std::atomic<int> live{0};
  {
    auto scheduler = TestScheduler::Create();
    for (int i = 0; i < 10; ++i) {
      // Queued again after every step, forever.
      Spawn(scheduler, [&live]() -> Future<void> {
        Tracked local(&live);
        while (true) co_await Yield();
      }).Detach();
    }
    for (int ticks = 0; ticks < 10000 && live.load() < 10; ++ticks) scheduler->Tick();
    ASSERT_EQ(live.load(), 10);
  }
  EXPECT_EQ(live.load(), 0) << "every queued frame was destroyed with the scheduler";
}

// Tasks that capture their scheduler form a cycle (scheduler -> queue -> task
// -> frame -> scheduler); Shutdown breaks it by dropping every Runnable.
TEST(CancellationTest, ShutdownFreesEveryPendingFrameEvenWithCycles) {
  std::atomic<int> live{0};
  std::weak_ptr<TestScheduler> weak;
  {
    auto scheduler = TestScheduler::Create();
    weak = scheduler;
    auto s = scheduler;
    for (int i = 0; i < 10; ++i) {
      Spawn(s, [s, &live]() -> Future<void> {
        Tracked local(&live);
        co_await Timer(s, std::chrono::hours(1));  // never fires
      }).Detach();
      Spawn(s, [s, &live]() -> Future<void> {
        Tracked local(&live);
        while (true) co_await Yield();
      }).Detach();
    }
    for (int ticks = 0; ticks < 10000 && live.load() < 20; ++ticks) scheduler->Tick();
    ASSERT_EQ(live.load(), 20);
    EXPECT_EQ(scheduler->PendingTasks().size(), 20u + 10u) << "20 tasks and 10 timers";
    scheduler->Shutdown();
    EXPECT_EQ(live.load(), 0);
    EXPECT_TRUE(scheduler->PendingTasks().empty());
    // Work scheduled after shutdown is cancelled at once, not lost silently.
    Task<int> late = Spawn(s, []() -> Future<int> { co_return 1; });
    EXPECT_TRUE((late.IsReady() || late.IsCancelled()));
    EXPECT_THROW(late.TakeResult("late"), TaskCancelledError);
  }
  EXPECT_TRUE(weak.expired()) << "no cycle keeps the scheduler alive";
}

TEST(CancellationTest, TaskSuspendedOnAChannelIsFreedByItsHandle) {
  auto scheduler = TestScheduler::Create();
  std::atomic<int> live{0};
  auto [tx, rx] = MakeChannel<int>();
  Task<void> parked = Spawn(scheduler, [rx = std::move(rx), &live]() mutable -> Future<void> {
    Tracked local(&live);
    co_await rx.Recv();
  });
  scheduler->RunUntilParked();
  ASSERT_EQ(live.load(), 1);
  parked = Task<void>();
  EXPECT_EQ(live.load(), 0);
  EXPECT_FALSE(tx.Send(1).ok()) << "the receiver died with the frame";
}

TEST(CancellationTest, AwaitingATaskCancelledByShutdownThrows) {
  auto scheduler = TestScheduler::Create();
  std::weak_ptr<TestScheduler> weak = scheduler;
  Task<int> orphan = Spawn(scheduler, []() -> Future<int> { co_return 1; });
  scheduler.reset();  // drops the queued Runnable: the task is cancelled
  EXPECT_TRUE(weak.expired());
  EXPECT_TRUE((orphan.IsReady() || orphan.IsCancelled()));
  EXPECT_FALSE(orphan.IsReady());
  EXPECT_THROW(orphan.TakeResult("test"), TaskCancelledError);
}

// A task cancelled before anyone awaits it: the awaiter still learns of it
// through its own scheduler, one step later, as a registered awaiter would.
TEST(CancellationTest, AwaitingAnAlreadyCancelledTaskThrowsInTheAwaitersNextStep) {
  auto dead = TestScheduler::Create();
  Task<int> orphan = Spawn(dead, []() -> Future<int> { co_return 1; });
  dead->Shutdown();
  ASSERT_TRUE((orphan.IsReady() || orphan.IsCancelled()));

  auto live = TestScheduler::Create();
  bool caught = false;
  Task<void> awaiter = Spawn(live, [&, orphan = std::move(orphan)]() mutable -> Future<void> {
    try {
      co_await std::move(orphan);
    } catch (const TaskCancelledError&) {
      caught = true;
    }
  });
  ASSERT_TRUE(live->Tick());
  EXPECT_FALSE(caught) << "the error must not be delivered inline in the awaiting step";
  EXPECT_FALSE((awaiter.IsReady() || awaiter.IsCancelled()));
  live->RunUntilParked();
  EXPECT_TRUE(caught);
  EXPECT_TRUE(awaiter.IsReady());
}

// kClosed is visible before the cancelled frame's destructors have run (they
// run on the cancelling thread). An awaiter arriving in between must wait for
// them, as a registered awaiter does, and not resume alongside them.
TEST(CancellationTest, AnAwaiterResumesOnlyAfterTheCancelledFrameIsGone) {
  absl::Notification destroying;
  absl::Notification release;
  std::atomic<bool> destroyed{false};
  struct SlowToDestroy {
    absl::Notification* destroying;
    absl::Notification* release;
    std::atomic<bool>* destroyed;
    SlowToDestroy(absl::Notification* d, absl::Notification* r, std::atomic<bool>* x)
        : destroying(d), release(r), destroyed(x) {}
    SlowToDestroy(SlowToDestroy&& other) noexcept
        : destroying(std::exchange(other.destroying, nullptr)),
          release(other.release),
          destroyed(other.destroyed) {}
    ~SlowToDestroy() {
      if (destroying == nullptr) return;
      destroying->Notify();
      release->WaitForNotification();
      destroyed->store(true);
    }
  };
  auto dead = TestScheduler::Create();
  Task<int> victim = Spawn(
      dead,
      [s = SlowToDestroy(&destroying, &release, &destroyed)]() -> Future<int> { co_return 1; });
  std::thread cancelling([&] { dead->Shutdown(); });  // drops the queued Runnable
  destroying.WaitForNotification();
  ASSERT_TRUE((victim.IsReady() || victim.IsCancelled()))
      << "kClosed is set while the frame is being destroyed";

  auto live = TestScheduler::Create();
  live->AllowParking();  // the wake-up will come from `cancelling`
  bool caught = false;
  bool frame_was_gone = false;
  Spawn(live, [&, victim = std::move(victim)]() mutable -> Future<void> {
    try {
      co_await std::move(victim);
    } catch (const TaskCancelledError&) {
      caught = true;
      frame_was_gone = destroyed.load();
    }
  }).Detach();
  live->RunUntilParked();
  EXPECT_FALSE(caught) << "resumed while the cancelled frame was still being destroyed";
  release.Notify();
  cancelling.join();
  live->RunUntilParked();
  EXPECT_TRUE(caught);
  EXPECT_TRUE(frame_was_gone);
}

// Shutdown around a running step: the step spawns a child (refused, so
// cancelled on the spot) and awaits it. The awaiter must be dropped quietly,
// not handed a TaskCancelledError that escapes a detached task mid-shutdown.
TEST(CancellationTest, AwaiterOfAChildRefusedAtShutdownIsCancelledQuietly) {
  auto scheduler = TestScheduler::Create();
  std::atomic<int> live{0};
  bool resumed = false;
  Spawn(scheduler, [&, s = scheduler]() -> Future<void> {
    Tracked local(&live);
    s->Shutdown();
    Task<int> child = Spawn(s, []() -> Future<int> { co_return 1; });
    co_await std::move(child);
    resumed = true;
  }).Detach();
  scheduler->RunUntilParked();
  EXPECT_FALSE(resumed);
  EXPECT_EQ(live.load(), 0) << "the awaiter's frame was destroyed";
}

// The race that matters in production: the handle is dropped on one thread
// while a step runs on another. No step may start after Cancel returns, and
// the frame must be destroyed exactly once (ASan/TSan check the rest).
TEST(CancellationTest, CancelRacesWithStepsOnOtherThreads) {
  auto pool = SimpleThreadPool::Create(2);
  for (int round = 0; round < 300; ++round) {
    std::atomic<int> live{0};
    std::atomic<bool> cancelled{false};
    std::atomic<int> steps_after_cancel{0};
    Task<void> task = Spawn(pool, [&]() -> Future<void> {
      Tracked local(&live);
      while (true) {
        if (cancelled.load()) steps_after_cancel.fetch_add(1);
        co_await Yield();
      }
    });
    while (live.load() == 0) std::this_thread::yield();
    task = Task<void>();
    cancelled.store(true);
    // The frame is destroyed by whichever thread owns it; wait for that.
    while (live.load() != 0) std::this_thread::yield();
    EXPECT_LE(steps_after_cancel.load(), 1) << "at most the step already running";
  }
}

TEST(CancellationTest, WakeAfterCancelIsHarmless) {
  auto pool = SimpleThreadPool::Create(2);
  for (int round = 0; round < 200; ++round) {
    auto [tx, rx] = MakeChannel<int>();
    std::atomic<bool> started{false};
    Task<int> task = Spawn(pool, [rx = std::move(rx), &started]() mutable -> Future<int> {
      started.store(true);
      std::optional<int> v = co_await rx.Recv();
      co_return v.value_or(-1);
    });
    while (!started.load()) std::this_thread::yield();
    std::thread sender([tx = std::move(tx)] { (void)tx.Send(1); });
    task = Task<int>();
    sender.join();
  }
}

}  // namespace
}  // namespace scheduler
