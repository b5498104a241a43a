// WindowsDispatcher's own tests (the shared behaviour is also covered by the
// contract suite, windows_contract_test.cc). These target what is specific to
// the Thread Pool implementation: work queued behind a busy pool, the single
// pool timer, the close of the cleanup group, and the last reference going
// away on a pool thread. Cross-built with --config=windows, run under wine.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "executor/executor.h"
#include "gtest/gtest.h"
#include "platforms/internal/os_dispatchers.h"
#include "platforms/platform_dispatcher.h"
#include "platforms/tests/frame_counters.h"
#include "scheduler/future.h"
#include "scheduler/task.h"
#include "scheduler/unhandled_exception.h"
#include "scheduler/yield.h"

namespace scheduler {
namespace {

using std::chrono::milliseconds;

TEST(WindowsDispatcherTest, SpawnsAndAwaitsManyTasksOnPoolThreads) {
  auto dispatcher = CreateWindowsDispatcher({.worker_threads = 4});
  Executor background(dispatcher);
  std::atomic<int> on_main{0};
  constexpr int kTasks = 2000;
  const int64_t sum = background.Block([&]() -> Future<int64_t> {
    std::vector<Task<int64_t>> tasks;
    for (int64_t i = 0; i < kTasks; ++i) {
      tasks.push_back(background.Spawn([i, &on_main, dispatcher]() -> Future<int64_t> {
        if (dispatcher->IsMainThread()) on_main.fetch_add(1);
        co_return i* i;
      }));
    }
    int64_t total = 0;
    for (Task<int64_t>& task : tasks) total += co_await std::move(task);
    co_return total;
  });
  EXPECT_EQ(sum, int64_t{kTasks - 1} * kTasks * (2 * kTasks - 1) / 6);
  EXPECT_EQ(on_main.load(), 0);
  dispatcher->Shutdown();
}

TEST(WindowsDispatcherTest, ForegroundTasksRunInFifoOrderOnTheMainThread) {
  auto dispatcher = CreateWindowsDispatcher();
  ForegroundExecutor foreground(dispatcher);
  Executor background(dispatcher);
  std::vector<int> order;
  bool all_on_main = true;
  constexpr int kTasks = 200;
  for (int i = 0; i < kTasks; ++i) {
    foreground
        .Spawn([i, &order, &all_on_main, dispatcher]() -> Future<void> {
          all_on_main = all_on_main && dispatcher->IsMainThread();
          order.push_back(i);
          co_return;
        })
        .Detach();
  }
  // Resumed from a pool thread's wake-up, still on the main thread, and after
  // everything queued before it.
  foreground
      .Spawn([&, dispatcher]() -> Future<void> {
        const int value = co_await background.Spawn([]() -> Future<int> { co_return 7; });
        all_on_main = all_on_main && dispatcher->IsMainThread();
        order.push_back(value == 7 ? kTasks : -1);
        dispatcher->QuitMainLoop();
      })
      .Detach();
  dispatcher->RunMainLoop();
  ASSERT_EQ(order.size(), size_t{kTasks + 1});
  for (int i = 0; i <= kTasks; ++i) EXPECT_EQ(order[i], i);
  EXPECT_TRUE(all_on_main);
  dispatcher->Shutdown();
}

TEST(WindowsDispatcherTest, QuitBeforeRunMainLoopIsKept) {
  auto dispatcher = CreateWindowsDispatcher();
  dispatcher->QuitMainLoop();
  dispatcher->RunMainLoop();  // Returns at once instead of waiting for work.
  SUCCEED();
}

// One pool thread, so the order in which timers complete is the order in
// which the timer queue handed them over.
TEST(WindowsDispatcherTest, TimersFireInDeadlineOrderAndNeverEarly) {
  auto dispatcher = CreateWindowsDispatcher({.worker_threads = 1});
  Executor background(dispatcher);
  // The dispatcher takes a timer's deadline inside Timer(); the test only
  // knows it lies in [earliest, latest], the clock read before and after the
  // call plus the delay. Under load the gap can be long, so ordering is
  // checked against those bounds, not against the nominal delays.
  struct Fired {
    int index;
    Instant earliest;
    Instant latest;
    Instant at;
  };
  absl::Mutex mu;
  std::vector<Fired> fired;
  const std::vector<int> delays_ms = {40, 5, 20, 0, 10, 30, 15, 25, 45, 35, 1, 2};
  background.Block([&]() -> Future<void> {
    std::vector<Task<void>> waiters;
    for (int i = 0; i < static_cast<int>(delays_ms.size()); ++i) {
      waiters.push_back(background.Spawn([&, i]() -> Future<void> {
        const Duration delay = milliseconds(delays_ms[i]);
        const Instant before = dispatcher->Now();
        Task<void> timer = background.Timer(delay);
        const Instant after = dispatcher->Now();
        co_await std::move(timer);
        const Instant now = dispatcher->Now();
        absl::MutexLock lock(&mu);
        fired.push_back({i, before + delay, after + delay, now});
      }));
    }
    for (Task<void>& waiter : waiters) co_await std::move(waiter);
  });
  ASSERT_EQ(fired.size(), delays_ms.size());
  for (size_t k = 0; k < fired.size(); ++k) {
    EXPECT_GE(fired[k].at, fired[k].earliest) << "timer " << fired[k].index << " fired early";
    // Fired in deadline order: nothing that fired before k can have a
    // deadline after k's.
    for (size_t j = 0; j < k; ++j) {
      EXPECT_LE(fired[j].earliest, fired[k].latest)
          << "timer " << fired[j].index << " fired before timer " << fired[k].index
          << ", whose deadline was earlier";
    }
  }
  dispatcher->Shutdown();
}

// A single pool thread is held by a task; everything else is pending in every
// place the dispatcher keeps work: the background queue (behind the busy
// thread), the main loop (never run), the timer queue (far and never-firing
// deadlines). Shutdown must free every frame without running any of them.
TEST(WindowsDispatcherTest, ShutdownCancelsPendingWorkAndFreesEveryFrame) {
  auto dispatcher = CreateWindowsDispatcher({.worker_threads = 1});
  Executor background(dispatcher);
  ForegroundExecutor foreground(dispatcher);
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  std::atomic<int> ran{0};
  absl::Notification blocker_started;
  absl::Notification release_blocker;

  background
      .Spawn([&, sentinel = FrameSentinel(destroyed)]() -> Future<void> {
        blocker_started.Notify();
        release_blocker.WaitForNotification();  // Holds the only pool thread.
        co_return;
      })
      .Detach();
  blocker_started.WaitForNotification();

  int frames = 1;
  for (int i = 0; i < 50; ++i, ++frames) {
    background
        .Spawn([&, sentinel = FrameSentinel(destroyed)]() -> Future<void> {
          ran.fetch_add(1);
          co_return;
        })
        .Detach();
  }
  for (Duration delay : {Duration(std::chrono::hours(1)), Duration::max()}) {
    for (int i = 0; i < 5; ++i, ++frames) {
      foreground
          .Spawn([&, delay, sentinel = FrameSentinel(destroyed)]() -> Future<void> {
            co_await background.Timer(delay);
            ran.fetch_add(1);
          })
          .Detach();
    }
  }
  // Let the foreground tasks reach their timers (they only run in the loop).
  foreground
      .Spawn([&]() -> Future<void> {
        dispatcher->QuitMainLoop();
        co_return;
      })
      .Detach();
  dispatcher->RunMainLoop();
  EXPECT_EQ(destroyed->load(), 0);
  // Queued after the loop ran: they stay in the main loop's queue.
  for (int i = 0; i < 10; ++i, ++frames) {
    foreground
        .Spawn([&, sentinel = FrameSentinel(destroyed)]() -> Future<void> {
          ran.fetch_add(1);
          co_return;
        })
        .Detach();
  }

  // Shutdown waits for the blocker, so it runs on another thread. Tasks
  // spawned once it has stopped the queues are refused and kept until the
  // pool has finished (the shutdown policy of platform_dispatcher.h): none
  // runs, and none is destroyed before the blocker's step returns.
  std::thread shutdown([&] { dispatcher->Shutdown(); });
  // The queues are stopped once the armed timers are gone (the backend
  // stops its work queue first); until then a released pool thread could
  // still run what is queued.
  while (dispatcher->armed_timers() != 0) std::this_thread::yield();
  for (int i = 0; i < 20; ++i, ++frames) {
    background
        .Spawn([&, sentinel = FrameSentinel(destroyed)]() -> Future<void> {
          ran.fetch_add(1);
          co_return;
        })
        .Detach();
    std::this_thread::yield();
  }
  EXPECT_EQ(destroyed->load(), 0);
  release_blocker.Notify();
  shutdown.join();

  EXPECT_EQ(ran.load(), 0);
  EXPECT_EQ(destroyed->load(), frames);
}

TEST(WindowsDispatcherTest, WorkScheduledAfterShutdownIsCancelledOnTheSpot) {
  auto dispatcher = CreateWindowsDispatcher();
  Executor background(dispatcher);
  dispatcher->Shutdown();
  dispatcher->Shutdown();  // Idempotent.
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  Task<int> task =
      background.Spawn([sentinel = FrameSentinel(destroyed)]() -> Future<int> { co_return 1; });
  EXPECT_EQ(destroyed->load(), 1);
  background.Timer(milliseconds(1)).Detach();
  dispatcher->QuitMainLoop();
  dispatcher->RunMainLoop();  // Returns: nothing can run any more.
}

TEST(WindowsDispatcherTest, DetachedExceptionsReachTheHandlerAndThePoolSurvives) {
  auto dispatcher = CreateWindowsDispatcher({.worker_threads = 1});
  Executor background(dispatcher);
  absl::Notification reported;
  std::string what;
  std::string where;
  UnhandledExceptionHandler previous =
      SetUnhandledExceptionHandler([&](const TaskMetadata& task, std::exception_ptr error) {
        what = DescribeException(error);
        where = FormatLocation(task.location);
        reported.Notify();
      });
  background
      .Spawn([]() -> Future<void> {
        throw std::runtime_error("boom on the pool");
        co_return;
      })
      .Detach();
  reported.WaitForNotification();
  SetUnhandledExceptionHandler(std::move(previous));
  EXPECT_NE(what.find("boom on the pool"), std::string::npos) << what;
  EXPECT_NE(where.find("windows_dispatcher_test.cc"), std::string::npos) << where;
  // The one pool thread still runs tasks.
  EXPECT_EQ(background.Block([]() -> Future<int> { co_return 42; }), 42);
  dispatcher->Shutdown();
}

TEST(WindowsDispatcherTest, ParkAndUnparkArePerThread) {
  auto dispatcher = CreateWindowsDispatcher();
  Executor background(dispatcher);
  // Parkers are per thread, not per dispatcher: drop any token that an earlier
  // test's Block left on this thread.
  while (dispatcher->Park(Duration::zero())) {
  }
  EXPECT_FALSE(dispatcher->Park(milliseconds(1)));
  Unparker main_unparker = dispatcher->GetUnparker();
  background
      .Spawn([main_unparker]() -> Future<void> {
        main_unparker.Unpark();
        co_return;
      })
      .Detach();
  EXPECT_TRUE(dispatcher->Park(std::nullopt));
  // A pool thread's token is its own: it is consumed there and never wakes
  // the main thread.
  absl::Notification done;
  std::optional<bool> worker_parked;
  background
      .Spawn([&]() -> Future<void> {
        dispatcher->GetUnparker().Unpark();
        worker_parked = dispatcher->Park(milliseconds(1));
        done.Notify();
        co_return;
      })
      .Detach();
  done.WaitForNotification();
  EXPECT_EQ(worker_parked, std::optional<bool>(true));
  EXPECT_FALSE(dispatcher->Park(milliseconds(1)));
  dispatcher->Shutdown();
}

TEST(WindowsDispatcherTest, OnlyTheCreatingThreadIsTheMainThread) {
  auto dispatcher = CreateWindowsDispatcher();
  Executor background(dispatcher);
  EXPECT_TRUE(dispatcher->IsMainThread());
  EXPECT_FALSE(background.Block([&]() -> Future<bool> {
    co_return co_await background.Spawn(
        [&]() -> Future<bool> { co_return dispatcher->IsMainThread(); });
  }));
  bool on_other_thread = true;
  std::thread([&] { on_other_thread = dispatcher->IsMainThread(); }).join();
  EXPECT_FALSE(on_other_thread);
  dispatcher->Shutdown();
}

// The last reference goes inside a task step on a pool thread: the
// destructor runs there and must neither wait for its own callback nor free
// what the callback still uses (the cleanup group is closed asynchronously).
TEST(WindowsDispatcherTest, LastReferenceDroppedOnAPoolThread) {
  absl::Notification references_dropped;
  absl::Notification frame_gone;
  std::weak_ptr<PlatformDispatcher> weak;
  {
    auto dispatcher = CreateWindowsDispatcher({.worker_threads = 2});
    weak = dispatcher;
    // Owns the task's Executor and signals after releasing it.
    struct Holder {
      std::optional<Executor> executor;
      absl::Notification* gone;
      ~Holder() {
        executor.reset();
        if (gone != nullptr) gone->Notify();
      }
      Holder(Executor e, absl::Notification* g) : executor(std::move(e)), gone(g) {}
      Holder(Holder&& other) noexcept : executor(std::move(other.executor)), gone(other.gone) {
        other.executor.reset();
        other.gone = nullptr;
      }
    };
    Executor(dispatcher)
        .Spawn([&references_dropped,
                holder = Holder(Executor(dispatcher), &frame_gone)]() -> Future<void> {
          references_dropped.WaitForNotification();
          co_return;
        })
        .Detach();
  }
  references_dropped.Notify();
  frame_gone.WaitForNotification();
  EXPECT_TRUE(weak.expired());
  // The process's pools still work afterwards.
  auto next = CreateWindowsDispatcher();
  EXPECT_EQ(Executor(next).Block([]() -> Future<int> { co_return 5; }), 5);
}

constexpr int kParents = 100;
constexpr int kChildren = 20;

TEST(WindowsDispatcherTest, StressNestedSpawnsYieldsAndTimers) {
  auto dispatcher = CreateWindowsDispatcher({.worker_threads = 4});
  Executor background(dispatcher);
  ForegroundExecutor foreground(dispatcher);
  std::atomic<int> foreground_steps{0};
  const int64_t total = background.Block([&]() -> Future<int64_t> {
    std::vector<Task<int64_t>> parents;
    for (int p = 0; p < kParents; ++p) {
      parents.push_back(background.Spawn([&, p]() -> Future<int64_t> {
        std::vector<Task<int64_t>> children;
        for (int c = 0; c < kChildren; ++c) {
          children.push_back(background.Spawn([p, c]() -> Future<int64_t> {
            co_await Yield();
            co_return int64_t{p} * kChildren + c;
          }));
        }
        if (p % 10 == 0) co_await background.Timer(milliseconds(p % 3));
        int64_t sum = 0;
        for (Task<int64_t>& child : children) sum += co_await std::move(child);
        co_return sum;
      }));
    }
    int64_t sum = 0;
    for (Task<int64_t>& parent : parents) sum += co_await std::move(parent);
    co_return sum;
  });
  constexpr int64_t kN = int64_t{kParents} * kChildren;
  EXPECT_EQ(total, (kN - 1) * kN / 2);

  // Foreground tasks resumed by wake-ups from pool threads; the last one to
  // finish ends the loop.
  constexpr int kForeground = 200;
  std::atomic<int> finished{0};
  for (int i = 0; i < kForeground; ++i) {
    foreground
        .Spawn([&]() -> Future<void> {
          co_await background.Spawn([]() -> Future<void> { co_return; });
          if (dispatcher->IsMainThread()) foreground_steps.fetch_add(1);
          if (finished.fetch_add(1) + 1 == kForeground) dispatcher->QuitMainLoop();
        })
        .Detach();
  }
  dispatcher->RunMainLoop();
  EXPECT_EQ(foreground_steps.load(), kForeground);
  dispatcher->Shutdown();
}

// //platforms:platform_dispatcher's select() links this package on Windows.
TEST(CreatePlatformDispatcherTest, MakesAWindowsDispatcherOnWindows) {
  std::shared_ptr<PlatformDispatcher> dispatcher = CreatePlatformDispatcher({.worker_threads = 2});
  // Only the Windows backend is linked in a Windows build; it honours the
  // thread count.
  EXPECT_EQ(dispatcher->worker_threads(), 2);
  EXPECT_EQ(Executor(dispatcher).Block([]() -> Future<int> { co_return 3; }), 3);
}

TEST(WindowsDispatcherDeathTest, RunMainLoopOffTheMainThreadIsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto dispatcher = CreateWindowsDispatcher();
        std::thread([&] { dispatcher->RunMainLoop(); }).join();
      },
      "RunMainLoop called on thread");
}

}  // namespace
}  // namespace scheduler
