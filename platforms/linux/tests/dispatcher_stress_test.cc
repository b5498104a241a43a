// Stress tests for LinuxDispatcher: volume, races between the pool, the main
// loop and the timer thread, and shutdown under load. They are meant to be run
// under --config=asan and --config=tsan as well as plain.
// Every build (plain, asan, tsan, ubsan) runs the full counts; the whole file
// takes about 20 s under TSan on 2 cores.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "executor/executor.h"
#include "gtest/gtest.h"
#include "platforms/internal/os_dispatchers.h"
#include "platforms/tests/frame_counters.h"
#include "platforms/tests/platform_dispatcher_harness.h"
#include "platforms/tests/scheduler_harness.h"
#include "scheduler/block.h"
#include "scheduler/channel.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"
#include "scheduler/unhandled_exception.h"
#include "scheduler/yield.h"

namespace scheduler {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// 1,000,000 tasks (plain build), spawned from 4 threads at once in batches
// that each spawner awaits with Block: every task runs once and every result
// is delivered once.
TEST(DispatcherStressTest, MillionTasksFromFourThreadsDeliverEachResultExactlyOnce) {
  constexpr int kSpawners = 4;
  constexpr int kPerSpawner = 250'000;
  constexpr int kBatch = 1000;
  constexpr int kTotal = kSpawners * kPerSpawner;
  auto dispatcher = CreateLinuxDispatcher();
  Executor executor(dispatcher);
  std::vector<std::atomic<uint8_t>> runs(kTotal);
  std::vector<uint8_t> delivered(kTotal, 0);  // each spawner writes its own range

  std::vector<std::thread> spawners;
  for (int s = 0; s < kSpawners; ++s) {
    spawners.emplace_back([&, s] {
      for (int base = s * kPerSpawner; base < (s + 1) * kPerSpawner; base += kBatch) {
        std::vector<Task<uint32_t>> batch;
        batch.reserve(kBatch);
        for (int i = base; i < std::min(base + kBatch, (s + 1) * kPerSpawner); ++i) {
          batch.push_back(executor.Spawn([i, &runs]() -> Future<uint32_t> {
            runs[i].fetch_add(1, std::memory_order_relaxed);
            co_return static_cast<uint32_t>(i);
          }));
        }
        executor.Block([&batch, &delivered]() -> Future<void> {
          for (Task<uint32_t>& t : batch) ++delivered[co_await std::move(t)];
        });
      }
    });
  }
  for (std::thread& t : spawners) t.join();

  int bad_runs = 0;
  int bad_deliveries = 0;
  for (int i = 0; i < kTotal; ++i) {
    bad_runs += runs[i].load() != 1;
    bad_deliveries += delivered[i] != 1;
  }
  EXPECT_EQ(bad_runs, 0) << "tasks that did not run exactly once";
  EXPECT_EQ(bad_deliveries, 0) << "results not delivered exactly once";
  dispatcher->Shutdown();
}

// 100,000 timers with deadlines spread over half a second (many equal): all
// fire, and none before its deadline on the dispatcher's clock.
TEST(DispatcherStressTest, HundredThousandTimersAllFireAndNoneEarly) {
  constexpr int kTimers = 100'000;
  auto dispatcher = CreateLinuxDispatcher();
  Executor executor(dispatcher);
  std::atomic<int> fired{0};
  std::atomic<int> early{0};
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> delay_ms(-5, 500);

  std::vector<Task<void>> waiters;
  waiters.reserve(kTimers);
  for (int i = 0; i < kTimers; ++i) {
    const Duration delay = milliseconds(delay_ms(rng));
    waiters.push_back(executor.Spawn([executor, delay, &fired, &early]() -> Future<void> {
      const Instant deadline = SaturatingAdd(executor.Now(), delay);
      co_await executor.Timer(delay);
      if (executor.Now() < deadline) early.fetch_add(1);
      fired.fetch_add(1);
    }));
  }
  executor.Block([&waiters]() -> Future<void> {
    for (Task<void>& t : waiters) co_await std::move(t);
  });
  EXPECT_EQ(fired.load(), kTimers);
  EXPECT_EQ(early.load(), 0) << "timers fired before their deadline";
  dispatcher->Shutdown();
}

// Foreground and background tasks bounce messages over channels, so every hop
// crosses between the main loop and the pool and usually wakes a parked
// thread. Plus background<->background pairs, racing on the same workers.
TEST(DispatcherStressTest, WakeStormsBetweenTheMainLoopAndThePool) {
  constexpr int kPairs = 8;
  constexpr int kRounds = 20'000;
  auto dispatcher = CreateLinuxDispatcher();
  std::unique_ptr<SchedulerHarness> harness = MakePlatformDispatcherHarness(dispatcher);
  Executor background(dispatcher);
  ForegroundExecutor foreground(dispatcher);
  std::atomic<int> mismatches{0};
  std::atomic<int> completed_pairs{0};

  // One side echoes every value it receives until the channel closes.
  auto echo = [](Receiver<int> in, Sender<int> out) -> Future<void> {
    while (std::optional<int> v = co_await in.Recv()) (void)out.Send(*v);
  };
  // The other sends 0..kRounds-1 and checks each echo.
  auto drive = [&mismatches, &completed_pairs](Sender<int> out, Receiver<int> in) -> Future<void> {
    for (int r = 0; r < kRounds; ++r) {
      (void)out.Send(r);
      std::optional<int> v = co_await in.Recv();
      if (!v.has_value() || *v != r) mismatches.fetch_add(1);
    }
    completed_pairs.fetch_add(1);
  };

  std::vector<Task<void>> tasks;
  for (int p = 0; p < kPairs; ++p) {
    auto [ping_tx, ping_rx] = MakeChannel<int>();
    auto [pong_tx, pong_rx] = MakeChannel<int>();
    tasks.push_back(background.Spawn(echo(std::move(ping_rx), std::move(pong_tx))));
    if (p % 2 == 0) {
      tasks.push_back(foreground.Spawn(drive(std::move(ping_tx), std::move(pong_rx))));
    } else {
      tasks.push_back(background.Spawn(drive(std::move(ping_tx), std::move(pong_rx))));
    }
  }
  foreground
      .Spawn([&tasks, &harness]() -> Future<void> {
        for (Task<void>& t : tasks) co_await std::move(t);
        harness->Done();
      })
      .Detach();
  ASSERT_TRUE(harness->DriveUntilDone(seconds(120))) << "the ping-pong stalled";
  EXPECT_EQ(completed_pairs.load(), kPairs);
  EXPECT_EQ(mismatches.load(), 0);
}

// 100,000 pending tasks of every kind: foreground runnables queued behind a
// main loop that never runs, background tasks waiting on far timers, and
// background tasks that are always runnable. Shutdown frees every frame (ASan
// checks nothing leaks) and returns promptly.
TEST(DispatcherStressTest, ShutdownWithHundredThousandPendingTasksFreesEverythingPromptly) {
  constexpr int kForeground = 40'000;
  constexpr int kTimed = 40'000;
  constexpr int kSpinning = 20'000;
  auto dispatcher = CreateLinuxDispatcher();
  Executor background(dispatcher);
  ForegroundExecutor foreground(dispatcher);
  auto live = std::make_shared<std::atomic<int>>(0);
  std::atomic<int> armed{0};
  absl::Notification all_armed;

  for (int i = 0; i < kForeground; ++i) {
    foreground.Spawn([token = LiveToken(live)]() -> Future<void> { co_return; }).Detach();
  }
  for (int i = 0; i < kTimed; ++i) {
    background
        .Spawn([background, i, &armed, &all_armed, token = LiveToken(live)]() -> Future<void> {
          Task<void> timer =
              background.Timer(i % 2 ? Duration(std::chrono::hours(1)) : Duration::max());
          if (armed.fetch_add(1) + 1 == kTimed) all_armed.Notify();
          co_await std::move(timer);
        })
        .Detach();
  }
  for (int i = 0; i < kSpinning; ++i) {
    background
        .Spawn([token = LiveToken(live)]() -> Future<void> {
          while (true) co_await Yield();
        })
        .Detach();
  }
  ASSERT_TRUE(all_armed.WaitForNotificationWithTimeout(absl::Seconds(120)));
  EXPECT_EQ(live->load(), kForeground + kTimed + kSpinning);

  const auto start = std::chrono::steady_clock::now();
  dispatcher->Shutdown();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(live->load(), 0) << "frames left alive after Shutdown";
  EXPECT_LT(took, seconds(10)) << "Shutdown took "
                               << std::chrono::duration_cast<milliseconds>(took).count() << " ms";
}

// 10,000 detached tasks throw: each exception reaches the handler once, and
// afterwards every worker is still alive (proved by a rendezvous that needs
// all of them running at the same time).
TEST(DispatcherStressTest, ThrowingDetachedTasksDoNotKillWorkers) {
  constexpr int kThrowing = 10'000;
  std::atomic<int> reported{0};
  absl::Notification all_reported;
  UnhandledExceptionHandler previous =
      SetUnhandledExceptionHandler([&](const TaskMetadata&, std::exception_ptr error) {
        EXPECT_EQ(DescribeException(error), "boom");
        if (reported.fetch_add(1) + 1 == kThrowing) all_reported.Notify();
      });
  auto dispatcher = CreateLinuxDispatcher();
  Executor background(dispatcher);
  for (int i = 0; i < kThrowing; ++i) {
    background
        .Spawn([]() -> Future<void> {
          co_await Yield();
          throw std::runtime_error("boom");
        })
        .Detach();
  }
  ASSERT_TRUE(all_reported.WaitForNotificationWithTimeout(absl::Seconds(120)));

  // Every worker must take part: each task holds its worker until all have
  // arrived. A dead worker would leave the others waiting (bounded here).
  const int workers = dispatcher->worker_threads();
  std::atomic<int> arrived{0};
  std::atomic<int> gave_up{0};
  std::vector<Task<void>> rendezvous;
  for (int i = 0; i < workers; ++i) {
    rendezvous.push_back(background.Spawn([&, workers]() -> Future<void> {
      arrived.fetch_add(1);
      const auto deadline = std::chrono::steady_clock::now() + seconds(60);
      while (arrived.load() < workers) {
        if (std::chrono::steady_clock::now() > deadline) {
          gave_up.fetch_add(1);
          break;
        }
        std::this_thread::yield();
      }
      co_return;
    }));
  }
  background.Block([&rendezvous]() -> Future<void> {
    for (Task<void>& t : rendezvous) co_await std::move(t);
  });
  EXPECT_EQ(gave_up.load(), 0) << "not every worker survived";
  EXPECT_EQ(reported.load(), kThrowing);
  dispatcher->Shutdown();
  SetUnhandledExceptionHandler(std::move(previous));
}

// The last reference to the dispatcher dies inside a step on a worker: the
// worker must not join itself, and everything is still freed.
TEST(DispatcherStressTest, LastReferenceDroppedOnAWorkerShutsDownCleanly) {
  for (int round = 0; round < 20; ++round) {
    std::weak_ptr<PlatformDispatcher> weak;
    {
      auto dispatcher = CreateLinuxDispatcher({.worker_threads = 2});
      weak = dispatcher;
      Executor executor(dispatcher);
      // The task's lambda holds the last strong reference once ours are gone.
      executor
          .Spawn([executor]() -> Future<void> {
            for (int i = 0; i < 10; ++i) co_await Yield();
          })
          .Detach();
    }
    // Not a sleep: wait (bounded) for the condition the test is about.
    const auto deadline = std::chrono::steady_clock::now() + seconds(60);
    while (!weak.expired() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    ASSERT_TRUE(weak.expired()) << "the dispatcher was not destroyed";
  }
}

}  // namespace
}  // namespace scheduler
