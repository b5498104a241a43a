// //scheduler:sync on the production dispatcher against the blocking
// equivalents a worker would otherwise use (std::mutex + condition_variable),
// in one run: bounded-channel throughput (one producer, one consumer,
// capacity 64) and lock hand-off under contention (4 contenders). Boost.Asio
// 1.74 has no channel (asio::experimental::channel arrived in 1.78) and no
// async mutex, so it has no column here.
//
//   bazel run -c opt //platforms/benchmarks:sync_benchmark
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "benchmark/benchmark.h"
#include "executor/executor.h"
#include "platforms/platform_dispatcher.h"
#include "scheduler/bounded_channel.h"
#include "scheduler/sync.h"

namespace scheduler {
namespace {

constexpr int kItems = 100000;
constexpr size_t kCapacity = 64;
constexpr int kContenders = 4;
constexpr int kLocksEach = 20000;

void BM_BoundedChannel_Pipeline(benchmark::State& state) {
  std::shared_ptr<PlatformDispatcher> dispatcher = CreatePlatformDispatcher({.worker_threads = 2});
  Executor ex(dispatcher);
  for (auto _ : state) {
    auto [tx, rx] = MakeBoundedChannel<int64_t>(kCapacity);
    Task<void> producer = ex.Spawn([tx = std::move(tx)]() -> Future<void> {
      for (int i = 0; i < kItems; ++i) (void)co_await tx.Send(i);
    });
    int64_t sum = ex.Block([rx = std::move(rx)]() -> Future<int64_t> {
      int64_t total = 0;
      while (std::optional<int64_t> v = co_await rx.Recv()) total += *v;
      co_return total;
    });
    benchmark::DoNotOptimize(sum);
    ex.Block(std::move(producer));
  }
  state.SetItemsProcessed(state.iterations() * kItems);
  dispatcher->Shutdown();
}
BENCHMARK(BM_BoundedChannel_Pipeline)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same pipeline with two threads and a condition-variable bounded queue.
void BM_StdMutexQueue_Pipeline(benchmark::State& state) {
  for (auto _ : state) {
    std::mutex mu;
    std::condition_variable not_full, not_empty;
    std::deque<int64_t> queue;
    bool done = false;
    std::thread producer([&] {
      for (int i = 0; i < kItems; ++i) {
        std::unique_lock<std::mutex> lock(mu);
        not_full.wait(lock, [&] { return queue.size() < kCapacity; });
        queue.push_back(i);
        not_empty.notify_one();
      }
      std::lock_guard<std::mutex> lock(mu);
      done = true;
      not_empty.notify_one();
    });
    int64_t total = 0;
    while (true) {
      std::unique_lock<std::mutex> lock(mu);
      not_empty.wait(lock, [&] { return !queue.empty() || done; });
      if (queue.empty()) break;
      total += queue.front();
      queue.pop_front();
      not_full.notify_one();
    }
    producer.join();
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}
BENCHMARK(BM_StdMutexQueue_Pipeline)->Unit(benchmark::kMillisecond)->UseRealTime();

// Contended lock: 4 tasks each take the async Mutex kLocksEach times.
void BM_AsyncMutex_Contended(benchmark::State& state) {
  std::shared_ptr<PlatformDispatcher> dispatcher = CreatePlatformDispatcher({.worker_threads = 2});
  Executor ex(dispatcher);
  for (auto _ : state) {
    Mutex mu;
    int64_t counter = 0;
    std::vector<Task<void>> tasks;
    for (int t = 0; t < kContenders; ++t) {
      tasks.push_back(ex.Spawn([&]() -> Future<void> {
        for (int i = 0; i < kLocksEach; ++i) {
          Mutex::Guard guard = co_await mu.Lock();
          ++counter;
        }
      }));
    }
    for (Task<void>& t : tasks) ex.Block(std::move(t));
    benchmark::DoNotOptimize(counter);
  }
  state.SetItemsProcessed(state.iterations() * kContenders * kLocksEach);
  dispatcher->Shutdown();
}
BENCHMARK(BM_AsyncMutex_Contended)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_StdMutex_Contended(benchmark::State& state) {
  for (auto _ : state) {
    std::mutex mu;
    int64_t counter = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < kContenders; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kLocksEach; ++i) {
          std::lock_guard<std::mutex> lock(mu);
          ++counter;
        }
      });
    }
    for (std::thread& t : threads) t.join();
    benchmark::DoNotOptimize(counter);
  }
  state.SetItemsProcessed(state.iterations() * kContenders * kLocksEach);
}
BENCHMARK(BM_StdMutex_Contended)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace scheduler
