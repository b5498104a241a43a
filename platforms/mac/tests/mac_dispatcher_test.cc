// MacDispatcher's own tests, run on Linux over the real libdispatch (the shared behaviour is
// covered by mac_contract_test.cc). They target what is specific to the GCD implementation: timers
// GCD fires early, the records Shutdown must free wherever they are (handed to GCD, kept for
// never-firing timers, queued for a main loop that never ran), and the main-thread rules.
#include <malloc.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "executor/executor.h"
#include "gtest/gtest.h"
#include "platforms/internal/os_dispatchers.h"
#include "platforms/mac/tests/early_timers.h"
#include "platforms/tests/frame_counters.h"
#include "scheduler/future.h"
#include "scheduler/task.h"

namespace scheduler {
namespace {

using std::chrono::milliseconds;

// GCD may call the timer source's handler a little before the deadline it was set for; the
// dispatcher must set it again rather than run the timer early.
TEST(MacDispatcherTest, TimersGcdFiresEarlyStillWaitForTheirDeadline) {
  auto dispatcher = CreateMacDispatcher();
  Executor background(dispatcher);
  // Wide margins: libdispatch must fire the shifted source before the
  // deadline for the re-arming path to run at all, even on a loaded machine.
  const std::vector<int> delays_ms = {110, 100, 130, 120};
  const int early_before = early_timers::EarlyFires();
  early_timers::FireNextTimersEarly(static_cast<int>(delays_ms.size()), milliseconds(90));
  absl::Mutex mu;
  std::vector<int> early;  // indexes of timers that completed before their deadline
  background.Block([&]() -> Future<void> {
    std::vector<Task<void>> waiters;
    for (int i = 0; i < static_cast<int>(delays_ms.size()); ++i) {
      waiters.push_back(background.Spawn([&, i]() -> Future<void> {
        const Instant deadline = dispatcher->Now() + milliseconds(delays_ms[i]);
        co_await background.Timer(milliseconds(delays_ms[i]));
        if (dispatcher->Now() < deadline) {
          absl::MutexLock lock(&mu);
          early.push_back(i);
        }
      }));
    }
    for (Task<void>& waiter : waiters) co_await std::move(waiter);
  });
  EXPECT_TRUE(early.empty()) << early.size() << " timers completed before their deadline";
  EXPECT_GE(early_timers::EarlyFires() - early_before, 1)
      << "libdispatch fired the timer source early, so the re-arming path ran";
  dispatcher->Shutdown();
}

TEST(MacDispatcherTest, ShutdownFreesEveryPendingFrameWithoutRunningIt) {
  auto dispatcher = CreateMacDispatcher();
  Executor background(dispatcher);
  ForegroundExecutor foreground(dispatcher);
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  std::atomic<int> ran{0};
  int frames = 0;
  // Timers in the dispatcher's heap (an hour) and kept by PlatformDispatcher (never fires).
  constexpr int kTimerTasks = 10;
  absl::BlockingCounter waiting(kTimerTasks);
  for (int i = 0; i < kTimerTasks; ++i, ++frames) {
    const Duration delay = i % 2 == 0 ? Duration(std::chrono::hours(1)) : Duration::max();
    background
        .Spawn([&, delay, sentinel = FrameSentinel(destroyed)]() -> Future<void> {
          waiting.DecrementCount();
          co_await background.Timer(delay);
          ran.fetch_add(1);
        })
        .Detach();
  }
  waiting.Wait();
  // Foreground work for a main loop that never runs.
  for (int i = 0; i < 10; ++i, ++frames) {
    foreground
        .Spawn([&, sentinel = FrameSentinel(destroyed)]() -> Future<void> {
          ran.fetch_add(1);
          co_return;
        })
        .Detach();
  }
  dispatcher->Shutdown();
  EXPECT_EQ(ran.load(), 0);
  EXPECT_EQ(destroyed->load(), frames);
  // Refused on the spot afterwards.
  auto late = std::make_shared<std::atomic<int>>(0);
  background.Spawn([sentinel = FrameSentinel(late)]() -> Future<void> { co_return; }).Detach();
  EXPECT_EQ(late->load(), 1);
}

// A cancelled timer leaves at once, also from GCD: the heap holds the live timers only, and
// GCD holds one timer source whatever the number armed. So the memory timers hold follows the
// live ones, not the number ever armed (before the shared heap, each cancelled timer left a
// dispatch_after record inside GCD until its deadline).
TEST(MacDispatcherTest, CancelledTimersLeaveAtOnceAndHoldNoMemory) {
  auto dispatcher = CreateMacDispatcher();
  Executor ex(dispatcher);
  std::vector<Task<void>> live;
  // Warm up the allocators (frame recycling, GCD's caches) before measuring.
  for (int i = 0; i < 1'000; ++i) Task<void> dropped = ex.Timer(std::chrono::hours(1));
  const size_t heap_before = mallinfo2().uordblks;
  constexpr int kArmed = 100'000;
  for (int i = 0; i < kArmed; ++i) {
    Task<void> dropped = ex.Timer(std::chrono::hours(1) + milliseconds(i));
    if (i % 1'000 == 0) live.push_back(ex.Timer(std::chrono::hours(1)));
    ASSERT_EQ(dispatcher->armed_timers(), live.size() + 1);
  }
  EXPECT_EQ(dispatcher->armed_timers(), 100u);
  const size_t heap_after = mallinfo2().uordblks;
  // 100 live timers and their heap entries are a few KB; one GCD record per cancelled timer
  // would be several MB. (Under ASan, mallinfo2 does not see the heap: the check is vacuous.)
  EXPECT_LT(heap_after > heap_before ? heap_after - heap_before : 0, size_t{1} << 20)
      << "bytes still held after arming and cancelling " << kArmed << " timers";
  live.clear();
  EXPECT_EQ(dispatcher->armed_timers(), 0u);
  dispatcher->Shutdown();
}

TEST(MacDispatcherTest, OnlyTheProcessMainThreadIsTheMainThread) {
  auto dispatcher = CreateMacDispatcher();
  EXPECT_TRUE(dispatcher->IsMainThread());
  bool on_other = true;
  std::thread([&] { on_other = dispatcher->IsMainThread(); }).join();
  EXPECT_FALSE(on_other);
  dispatcher->Shutdown();
}

// libdispatch's worker threads live in the process that first used it; a
// forked death-test child would have none, so children re-run the binary
// instead.
class MacDispatcherDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(MacDispatcherDeathTest, CreateOffTheMainThreadIsFatal) {
  EXPECT_DEATH(std::thread([] { CreateMacDispatcher(); }).join(),
               "CreateMacDispatcher must be called on the process's main thread.*Called at "
               ".*mac_dispatcher_test.cc");
}

TEST_F(MacDispatcherDeathTest, RunMainLoopOffTheMainThreadIsFatal) {
  EXPECT_DEATH(
      {
        auto dispatcher = CreateMacDispatcher();
        std::thread([&] { dispatcher->RunMainLoop(); }).join();
      },
      "MacDispatcher::RunMainLoop called on thread .*, but the dispatcher's main thread is "
      "thread .*; the dispatcher was created at .*mac_dispatcher_test.cc");
}

TEST_F(MacDispatcherDeathTest, RunMainLoopFromAForegroundStepIsFatal) {
  EXPECT_DEATH(
      {
        auto dispatcher = CreateMacDispatcher();
        ForegroundExecutor(dispatcher)
            .Spawn([dispatcher]() -> Future<void> {
              dispatcher->RunMainLoop();
              co_return;
            })
            .Detach();
        dispatcher->RunMainLoop();
      },
      "MacDispatcher::RunMainLoop re-entered from inside a foreground step of task#.*"
      "mac_dispatcher_test.cc");
}

TEST_F(MacDispatcherDeathTest, ShutdownFromInsideATaskIsFatal) {
  EXPECT_DEATH(
      {
        auto dispatcher = CreateMacDispatcher();
        ForegroundExecutor(dispatcher)
            .Spawn([dispatcher]() -> Future<void> {
              dispatcher->Shutdown();
              co_return;
            })
            .Detach();
        dispatcher->RunMainLoop();
      },
      "MacDispatcher::Shutdown called from inside task#.*; call it after RunMainLoop returns");
}

// The last reference may go inside a step (a task owning the only handle):
// the destructor then shuts down without the in-step check and without
// waiting for the step it runs in.
TEST(MacDispatcherTest, LastReferenceDroppedInsideAStep) {
  absl::Notification scope_closed;
  absl::Notification frame_gone;
  std::weak_ptr<PlatformDispatcher> weak;
  {
    auto dispatcher = CreateMacDispatcher();
    weak = dispatcher;
    struct SignalOnDestroy {
      absl::Notification* gone;
      explicit SignalOnDestroy(absl::Notification* g) : gone(g) {}
      SignalOnDestroy(SignalOnDestroy&& other) noexcept : gone(other.gone) { other.gone = nullptr; }
      ~SignalOnDestroy() {
        if (gone != nullptr) gone->Notify();
      }
    };
    Executor(dispatcher)
        .Spawn([&scope_closed, owner = std::shared_ptr<PlatformDispatcher>(dispatcher),
                signal = SignalOnDestroy(&frame_gone)]() mutable -> Future<void> {
          scope_closed.WaitForNotification();
          owner.reset();  // the last reference: the dispatcher is destroyed here
          co_return;
        })
        .Detach();
  }
  scope_closed.Notify();
  frame_gone.WaitForNotification();
  EXPECT_TRUE(weak.expired());
}

}  // namespace
}  // namespace scheduler
