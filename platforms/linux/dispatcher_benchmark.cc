// LinuxDispatcher against boost::asio::thread_pool, measured in one binary:
//
//   bazel run -c opt //platforms/linux:dispatcher_benchmark
//
// Spawn: 10,000 tasks are started from a thread outside the pool and counted
// down; the iteration ends when the last one has run. The peer posts 10,000
// handlers to an asio::thread_pool with the same number of threads. Our side
// pays for more than the queue: each task is a coroutine frame plus a task
// core (two allocations, a state machine, a result slot), while an asio
// handler is one recycled allocation.
//
// Chain: one task reschedules itself 10,000 times (co_await Yield()), against
// an asio handler that re-posts itself 10,000 times: the cost of scheduling
// from inside the pool, one hop at a time.
//
// PingPong: two background tasks exchange 10,000 messages each way over two
// channels, with LinuxDispatcher's LIFO slot on (the default) and off. Each
// message wakes the other task from inside a step, the case the slot is for.
// The asio peer for one message hop is one Chain hop.
//
// --no_absl_deadlock_detection: Debian's Abseil is built with deadlock
// detection on, so every absl::Mutex the task core, channels and Parker use
// is entered into a process-wide lock graph when locked and removed when
// destroyed. Pass this flag to measure without that bookkeeping (as with an
// NDEBUG build of Abseil, or an application that turns it off).
#include <atomic>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "benchmark/benchmark.h"
#include "boost/asio/post.hpp"
#include "boost/asio/thread_pool.hpp"
#include "executor/executor.h"
#include "platforms/internal/os_dispatchers.h"
#include "scheduler/channel.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"
#include "scheduler/yield.h"

namespace scheduler {
namespace {

constexpr int kTasks = 10'000;

// Counts down from `n` and notifies once when it reaches zero.
class Countdown {
 public:
  explicit Countdown(int n) : remaining_(n) {}
  void Arrive() {
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) done_.Notify();
  }
  void Wait() { done_.WaitForNotification(); }

 private:
  std::atomic<int> remaining_;
  absl::Notification done_;
};

void BM_Spawn_LinuxDispatcher(benchmark::State& state) {
  auto dispatcher = CreateLinuxDispatcher({.worker_threads = static_cast<int>(state.range(0))});
  Executor executor(dispatcher);
  for (auto _ : state) {
    Countdown countdown(kTasks);
    for (int i = 0; i < kTasks; ++i) {
      executor
          .Spawn([&countdown]() -> Future<void> {
            countdown.Arrive();
            co_return;
          })
          .Detach();
    }
    countdown.Wait();
  }
  state.SetItemsProcessed(state.iterations() * kTasks);
  dispatcher->Shutdown();
}

void BM_Spawn_AsioThreadPool(benchmark::State& state) {
  boost::asio::thread_pool pool(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    Countdown countdown(kTasks);
    for (int i = 0; i < kTasks; ++i) {
      boost::asio::post(pool, [&countdown] { countdown.Arrive(); });
    }
    countdown.Wait();
  }
  state.SetItemsProcessed(state.iterations() * kTasks);
  pool.join();
}

// The same spawns, awaited through their Task handles instead of counted.
void BM_SpawnAwaited_LinuxDispatcher(benchmark::State& state) {
  auto dispatcher = CreateLinuxDispatcher({.worker_threads = static_cast<int>(state.range(0))});
  Executor executor(dispatcher);
  std::vector<Task<int>> tasks;
  tasks.reserve(kTasks);
  for (auto _ : state) {
    for (int i = 0; i < kTasks; ++i) {
      tasks.push_back(executor.Spawn([i]() -> Future<int> { co_return i; }));
    }
    int64_t sum = executor.Block([&tasks]() -> Future<int64_t> {
      int64_t total = 0;
      for (Task<int>& t : tasks) total += co_await std::move(t);
      co_return total;
    });
    benchmark::DoNotOptimize(sum);
    tasks.clear();
  }
  state.SetItemsProcessed(state.iterations() * kTasks);
  dispatcher->Shutdown();
}

void BM_Chain_LinuxDispatcher(benchmark::State& state) {
  auto dispatcher = CreateLinuxDispatcher({.worker_threads = static_cast<int>(state.range(0))});
  Executor executor(dispatcher);
  for (auto _ : state) {
    Countdown countdown(1);
    executor
        .Spawn([&countdown]() -> Future<void> {
          for (int i = 0; i < kTasks; ++i) co_await Yield();
          countdown.Arrive();
        })
        .Detach();
    countdown.Wait();
  }
  state.SetItemsProcessed(state.iterations() * kTasks);
  dispatcher->Shutdown();
}

// A handler that re-posts itself `left` more times.
struct Hop {
  boost::asio::thread_pool* pool;
  Countdown* countdown;
  int left;
  void operator()() const {
    if (left == 0) {
      countdown->Arrive();
    } else {
      boost::asio::post(*pool, Hop{pool, countdown, left - 1});
    }
  }
};

void BM_Chain_AsioThreadPool(benchmark::State& state) {
  boost::asio::thread_pool pool(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    Countdown countdown(1);
    boost::asio::post(pool, Hop{&pool, &countdown, kTasks});
    countdown.Wait();
  }
  state.SetItemsProcessed(state.iterations() * kTasks);
  pool.join();
}

void BM_PingPong_LinuxDispatcher(benchmark::State& state) {
  auto dispatcher = CreateLinuxDispatcher(
      {.worker_threads = static_cast<int>(state.range(0)), .lifo_slot = state.range(1) != 0});
  Executor executor(dispatcher);
  for (auto _ : state) {
    auto [ping_tx, ping_rx] = MakeChannel<int>();
    auto [pong_tx, pong_rx] = MakeChannel<int>();
    Task<void> echo = executor.Spawn(
        [rx = std::move(ping_rx), tx = std::move(pong_tx)]() mutable -> Future<void> {
          while (std::optional<int> v = co_await rx.Recv()) (void)tx.Send(*v);
        });
    Task<void> driver = executor.Spawn(
        [tx = std::move(ping_tx), rx = std::move(pong_rx)]() mutable -> Future<void> {
          for (int i = 0; i < kTasks; ++i) {
            (void)tx.Send(i);
            co_await rx.Recv();
          }
        });
    executor.Block([&driver]() -> Future<void> { co_await std::move(driver); });
  }
  state.SetItemsProcessed(state.iterations() * kTasks * 2);
  dispatcher->Shutdown();
}

// Worker threads: 1, and 2 (this project's machines have 2 cores).
BENCHMARK(BM_Spawn_LinuxDispatcher)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_Spawn_AsioThreadPool)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_SpawnAwaited_LinuxDispatcher)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_Chain_LinuxDispatcher)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_Chain_AsioThreadPool)->Arg(1)->Arg(2)->UseRealTime();
// Args: worker threads, LIFO slot on (1) or off (0).
BENCHMARK(BM_PingPong_LinuxDispatcher)->ArgsProduct({{1, 2}, {1, 0}})->UseRealTime();

}  // namespace
}  // namespace scheduler

int main(int argc, char** argv) {
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--no_absl_deadlock_detection") == 0) {
      absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
