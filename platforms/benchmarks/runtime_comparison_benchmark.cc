// Our production dispatcher against the runtimes users would pick instead,
// on the same workloads, in one binary and one run:
//
//   bazel run -c opt //platforms/benchmarks:runtime_comparison_benchmark
//
// Runtimes: "ours" (CreatePlatformDispatcher + Executor, coroutines),
// "asio_post" (boost::asio::thread_pool + post of callbacks), "asio_coro"
// (co_spawn of asio::awaitable on the same pool), "tbb" (oneTBB task_group),
// and "floor" (floor_runtime.h: a bare coroutine queue on one thread). Every
// threaded runtime gets the same number of threads (kThreads). A workload a
// runtime has no natural equivalent for is left out rather than faked (for
// example Asio 1.74 has no channels, so ping_pong has no asio_coro entry).
// tools/benchmarks_report.py turns the JSON output into BENCHMARKS.md's table.
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/redirect_error.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/thread_pool.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "executor/executor.h"
#include "platforms/platform_dispatcher.h"
#include "scheduler/benchmarks/floor_runtime.h"
#include "scheduler/internal/frame_allocator.h"
#include "scheduler/oneshot.h"
#include "scheduler/yield.h"
#include "tbb/global_control.h"
#include "tbb/task_arena.h"
#include "tbb/task_group.h"

namespace scheduler::bench {
namespace {

namespace asio = boost::asio;

constexpr int kThreads = 2;
constexpr int kSpawnMany = 10'000;
constexpr int kYieldTasks = 200;
constexpr int kYieldsEach = 1'000;
constexpr int kPingPongPairs = 1'000;
constexpr int kChainDepth = 1'000;
constexpr int kRoundTrips = 1'000;
constexpr int kTimersDropped = 100'000;
constexpr int kTimersFired = 10'000;
constexpr int kPendingTasks = 10'000;

// Our runtime, created on the benchmark thread (its main thread).
struct Ours {
  explicit Ours(int threads = kThreads)
      : dispatcher(CreatePlatformDispatcher({.worker_threads = threads})) {}
  std::shared_ptr<PlatformDispatcher> dispatcher;
  Executor ex{dispatcher};
  ~Ours() { dispatcher->Shutdown(); }
};

Future<void> CountDown(std::latch* done) {
  done->count_down();
  co_return;
}

asio::awaitable<void> AsioCountDown(std::latch* done) {
  done->count_down();
  co_return;
}

void Finish(benchmark::State& state, int64_t items) {
  state.SetItemsProcessed(state.iterations() * items);
}

// ---------------------------------------------------------------- spawn_many
// `threads` is kThreads in the main table, 1-8 in the scaling table.
void SpawnManyOutsideOurs(benchmark::State& state, int threads) {
  Ours rt(threads);
  for (auto _ : state) {
    std::latch done(kSpawnMany);
    for (int i = 0; i < kSpawnMany; ++i) rt.ex.Spawn(CountDown(&done)).Detach();
    done.wait();
  }
  Finish(state, kSpawnMany);
}

void SpawnManyOutsideAsioPost(benchmark::State& state, int threads) {
  asio::thread_pool pool(threads);
  for (auto _ : state) {
    std::latch done(kSpawnMany);
    for (int i = 0; i < kSpawnMany; ++i) asio::post(pool, [&done] { done.count_down(); });
    done.wait();
  }
  Finish(state, kSpawnMany);
}

void SpawnManyOutsideAsioCoro(benchmark::State& state) {
  asio::thread_pool pool(kThreads);
  for (auto _ : state) {
    std::latch done(kSpawnMany);
    for (int i = 0; i < kSpawnMany; ++i) asio::co_spawn(pool, AsioCountDown(&done), asio::detached);
    done.wait();
  }
  Finish(state, kSpawnMany);
}

void SpawnManyOutsideTbb(benchmark::State& state, int threads) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  for (auto _ : state) {
    tbb::task_group group;
    std::atomic<int> left{kSpawnMany};
    for (int i = 0; i < kSpawnMany; ++i) group.run([&left] { left.fetch_sub(1); });
    group.wait();
  }
  Finish(state, kSpawnMany);
}

// tbb above is not the same workload as ours: its spawning thread joins the
// arena (task_group::run pushes to that thread's own deque, without a lock)
// and runs tasks itself in wait(), so no task crosses threads unless a worker
// steals it. Ours and Asio hand every task from the outside thread to the
// pool and block. "tbb_enqueue" is tbb doing that: kThreads workers in an
// arena with no slot kept for outside threads, tasks enqueued into its shared
// queue, the outside thread blocked on a latch.
void SpawnManyOutsideTbbEnqueue(benchmark::State& state) {
  // The limit counts the outside thread, which does no work here.
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, kThreads + 1);
  tbb::task_arena arena(kThreads, /*reserved_for_masters=*/0);
  for (auto _ : state) {
    std::latch done(kSpawnMany);
    for (int i = 0; i < kSpawnMany; ++i) arena.enqueue([&done] { done.count_down(); });
    done.wait();
  }
  Finish(state, kSpawnMany);
}

FloorTask FloorCountDown(int* left) {
  --*left;
  co_return;
}

void SpawnManyFloor(benchmark::State& state) {
  for (auto _ : state) {
    FloorQueue queue;
    int left = kSpawnMany;
    for (int i = 0; i < kSpawnMany; ++i) queue.Push(FloorCountDown(&left).handle);
    queue.Drain();
    benchmark::DoNotOptimize(left);
  }
  Finish(state, kSpawnMany);
}

Future<void> SpawnFromWorker(Executor ex, std::latch* done) {
  for (int i = 0; i < kSpawnMany; ++i) ex.Spawn(CountDown(done)).Detach();
  co_return;
}

void SpawnManyFromWorkerOurs(benchmark::State& state) {
  Ours rt;
  for (auto _ : state) {
    std::latch done(kSpawnMany);
    rt.ex.Spawn(SpawnFromWorker(rt.ex, &done)).Detach();
    done.wait();
  }
  Finish(state, kSpawnMany);
}

void SpawnManyFromWorkerAsioPost(benchmark::State& state) {
  asio::thread_pool pool(kThreads);
  for (auto _ : state) {
    std::latch done(kSpawnMany);
    asio::post(pool, [&] {
      for (int i = 0; i < kSpawnMany; ++i) asio::post(pool, [&done] { done.count_down(); });
    });
    done.wait();
  }
  Finish(state, kSpawnMany);
}

void SpawnManyFromWorkerTbb(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, kThreads);
  for (auto _ : state) {
    tbb::task_group group;
    std::atomic<int> left{kSpawnMany};
    group.run([&] {
      for (int i = 0; i < kSpawnMany; ++i) group.run([&left] { left.fetch_sub(1); });
    });
    group.wait();
  }
  Finish(state, kSpawnMany);
}

// ---------------------------------------------------------------- yield_many
Future<void> YieldMany(std::latch* done) {
  for (int i = 0; i < kYieldsEach; ++i) co_await Yield();
  done->count_down();
}

void YieldManyOurs(benchmark::State& state, int threads) {
  Ours rt(threads);
  for (auto _ : state) {
    std::latch done(kYieldTasks);
    for (int t = 0; t < kYieldTasks; ++t) rt.ex.Spawn(YieldMany(&done)).Detach();
    done.wait();
  }
  Finish(state, kYieldTasks * kYieldsEach);
}

asio::awaitable<void> AsioYieldMany(std::latch* done) {
  auto executor = co_await asio::this_coro::executor;
  for (int i = 0; i < kYieldsEach; ++i) co_await asio::post(executor, asio::use_awaitable);
  done->count_down();
}

void YieldManyAsioCoro(benchmark::State& state, int threads) {
  asio::thread_pool pool(threads);
  for (auto _ : state) {
    std::latch done(kYieldTasks);
    for (int t = 0; t < kYieldTasks; ++t)
      asio::co_spawn(pool, AsioYieldMany(&done), asio::detached);
    done.wait();
  }
  Finish(state, kYieldTasks * kYieldsEach);
}

// A callback that re-posts itself: the callback-style equivalent of a yield.
struct AsioReposter {
  asio::thread_pool* pool;
  std::latch* done;
  int left;
  void operator()() {
    if (--left == 0) {
      done->count_down();
    } else {
      asio::post(*pool, *this);
    }
  }
};

void YieldManyAsioPost(benchmark::State& state, int threads) {
  asio::thread_pool pool(threads);
  for (auto _ : state) {
    std::latch done(kYieldTasks);
    for (int t = 0; t < kYieldTasks; ++t) asio::post(pool, AsioReposter{&pool, &done, kYieldsEach});
    done.wait();
  }
  Finish(state, kYieldTasks * kYieldsEach);
}

FloorTask FloorYieldMany(FloorQueue* queue, int* finished) {
  for (int i = 0; i < kYieldsEach; ++i) co_await FloorYield{queue};
  ++*finished;
}

void YieldManyFloor(benchmark::State& state) {
  for (auto _ : state) {
    FloorQueue queue;
    int finished = 0;
    for (int t = 0; t < kYieldTasks; ++t) queue.Push(FloorYieldMany(&queue, &finished).handle);
    queue.Drain();
    benchmark::DoNotOptimize(finished);
  }
  Finish(state, kYieldTasks * kYieldsEach);
}

// ---------------------------------------------------------------- ping_pong
Future<void> Pong(OneshotReceiver<int> ping, OneshotSender<int> pong) {
  absl::StatusOr<int> v = co_await std::move(ping);
  (void)std::move(pong).Send(*v + 1);
}

Future<void> Ping(Executor ex, std::latch* done) {
  auto [ping_tx, ping_rx] = MakeOneshot<int>();
  auto [pong_tx, pong_rx] = MakeOneshot<int>();
  ex.Spawn(Pong(std::move(ping_rx), std::move(pong_tx))).Detach();
  (void)std::move(ping_tx).Send(1);
  (void)co_await std::move(pong_rx);
  done->count_down();
}

void PingPongOurs(benchmark::State& state) {
  Ours rt;
  for (auto _ : state) {
    std::latch done(kPingPongPairs);
    for (int i = 0; i < kPingPongPairs; ++i) rt.ex.Spawn(Ping(rt.ex, &done)).Detach();
    done.wait();
  }
  Finish(state, kPingPongPairs);
}

// Callback version: the "ping" handler posts the "pong" handler, which
// completes the pair. Same number of hand-offs, no channel objects.
void PingPongAsioPost(benchmark::State& state) {
  asio::thread_pool pool(kThreads);
  for (auto _ : state) {
    std::latch done(kPingPongPairs);
    for (int i = 0; i < kPingPongPairs; ++i) {
      asio::post(pool, [&] {
        asio::post(pool, [&] { asio::post(pool, [&done] { done.count_down(); }); });
      });
    }
    done.wait();
  }
  Finish(state, kPingPongPairs);
}

// ---------------------------------------------------------------- chained_spawn
Future<void> Chain(Executor ex, int depth, std::latch* done) {
  if (depth == 0) {
    done->count_down();
  } else {
    ex.Spawn(Chain(ex, depth - 1, done)).Detach();
  }
  co_return;
}

void ChainedSpawnOurs(benchmark::State& state) {
  Ours rt;
  for (auto _ : state) {
    std::latch done(1);
    rt.ex.Spawn(Chain(rt.ex, kChainDepth, &done)).Detach();
    done.wait();
  }
  Finish(state, kChainDepth);
}

void AsioChain(asio::thread_pool* pool, int depth, std::latch* done) {
  if (depth == 0) {
    done->count_down();
  } else {
    asio::post(*pool, [=] { AsioChain(pool, depth - 1, done); });
  }
}

void ChainedSpawnAsioPost(benchmark::State& state) {
  asio::thread_pool pool(kThreads);
  for (auto _ : state) {
    std::latch done(1);
    asio::post(pool, [&] { AsioChain(&pool, kChainDepth, &done); });
    done.wait();
  }
  Finish(state, kChainDepth);
}

asio::awaitable<void> AsioCoroChain(asio::thread_pool* pool, int depth, std::latch* done) {
  if (depth == 0) {
    done->count_down();
  } else {
    asio::co_spawn(*pool, AsioCoroChain(pool, depth - 1, done), asio::detached);
  }
  co_return;
}

void ChainedSpawnAsioCoro(benchmark::State& state) {
  asio::thread_pool pool(kThreads);
  for (auto _ : state) {
    std::latch done(1);
    asio::co_spawn(pool, AsioCoroChain(&pool, kChainDepth, &done), asio::detached);
    done.wait();
  }
  Finish(state, kChainDepth);
}

void TbbChain(tbb::task_group* group, int depth) {
  if (depth > 0) group->run([=] { TbbChain(group, depth - 1); });
}

void ChainedSpawnTbb(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, kThreads);
  for (auto _ : state) {
    tbb::task_group group;
    group.run([&] { TbbChain(&group, kChainDepth); });
    group.wait();
  }
  Finish(state, kChainDepth);
}

// As for spawn_many_outside, tbb above runs the whole chain on the waiting
// thread (no hand-off in or out). "tbb_enqueue" hands the chain's root to a
// worker, which spawns and waits for the chain there, and signals the
// outside thread through a latch: ours' two hand-offs.
void ChainedSpawnTbbEnqueue(benchmark::State& state) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, kThreads + 1);
  tbb::task_arena arena(kThreads, /*reserved_for_masters=*/0);
  for (auto _ : state) {
    std::latch done(1);
    arena.enqueue([&done] {
      tbb::task_group group;
      group.run([&group] { TbbChain(&group, kChainDepth); });
      group.wait();
      done.count_down();
    });
    done.wait();
  }
  Finish(state, kChainDepth);
}

// ---------------------------------------------------------------- foreground round trips
Future<void> Nothing() { co_return; }

Future<void> RoundTrips(Executor background, PlatformDispatcher* dispatcher) {
  for (int i = 0; i < kRoundTrips; ++i) co_await background.Spawn(Nothing());
  dispatcher->QuitMainLoop();
}

void ForegroundRoundTripOurs(benchmark::State& state) {
  Ours rt;
  ForegroundExecutor foreground(rt.dispatcher);
  for (auto _ : state) {
    foreground.Spawn(RoundTrips(rt.ex, rt.dispatcher.get())).Detach();
    rt.dispatcher->RunMainLoop();
  }
  Finish(state, kRoundTrips);
}

// The main thread runs an io_context; each round trip posts to the pool and
// back to the io_context.
void AsioRoundTrip(asio::io_context* main, asio::thread_pool* pool, int left) {
  if (left == 0) {
    main->stop();
    return;
  }
  asio::post(*pool, [=] { asio::post(*main, [=] { AsioRoundTrip(main, pool, left - 1); }); });
}

void ForegroundRoundTripAsioPost(benchmark::State& state) {
  asio::thread_pool pool(kThreads);
  asio::io_context main;
  for (auto _ : state) {
    main.restart();
    // Keeps run() going while the work is on the pool; stop() ends it.
    auto busy = asio::make_work_guard(main);
    asio::post(main, [&] { AsioRoundTrip(&main, &pool, kRoundTrips); });
    main.run();
  }
  Finish(state, kRoundTrips);
}

// ---------------------------------------------------------------- timers
void TimersDroppedOurs(benchmark::State& state) {
  Ours rt;
  for (auto _ : state) {
    for (int i = 0; i < kTimersDropped; ++i) {
      Task<void> timer = rt.ex.Timer(std::chrono::hours(1));
    }
  }
  Finish(state, kTimersDropped);
}

void TimersDroppedAsio(benchmark::State& state) {
  asio::thread_pool pool(kThreads);
  for (auto _ : state) {
    for (int i = 0; i < kTimersDropped; ++i) {
      asio::steady_timer timer(pool, std::chrono::hours(1));
      timer.async_wait([](const boost::system::error_code&) {});
    }  // destroying the timer cancels the wait
  }
  pool.join();
  Finish(state, kTimersDropped);
}

// Each timer records how late it fired; reports p50/p99 in microseconds.
void ReportLateness(benchmark::State& state, std::vector<Duration>& lateness) {
  std::sort(lateness.begin(), lateness.end());
  auto us = [&](double q) {
    return std::chrono::duration<double, std::micro>(
               lateness[static_cast<size_t>(q * (lateness.size() - 1))])
        .count();
  };
  state.counters["late_p50_us"] = us(0.50);
  state.counters["late_p99_us"] = us(0.99);
  Finish(state, kTimersFired);
}

Duration SpreadDelay(int i) { return std::chrono::microseconds(1000 + (i * 7919) % 9000); }

Future<void> TimedWait(Executor ex, Duration delay, Duration* lateness, std::latch* done) {
  const Instant deadline = ex.Now() + delay;
  co_await ex.Timer(delay);
  *lateness = ex.Now() - deadline;
  done->count_down();
}

void TimersFiredOurs(benchmark::State& state) {
  Ours rt;
  std::vector<Duration> lateness(kTimersFired);
  for (auto _ : state) {
    std::latch done(kTimersFired);
    for (int i = 0; i < kTimersFired; ++i) {
      rt.ex.Spawn(TimedWait(rt.ex, SpreadDelay(i), &lateness[i], &done)).Detach();
    }
    done.wait();
  }
  ReportLateness(state, lateness);
}

void TimersFiredAsio(benchmark::State& state) {
  asio::thread_pool pool(kThreads);
  std::vector<Duration> lateness(kTimersFired);
  for (auto _ : state) {
    std::latch done(kTimersFired);
    std::vector<std::unique_ptr<asio::steady_timer>> timers;
    for (int i = 0; i < kTimersFired; ++i) {
      const Instant deadline = std::chrono::steady_clock::now() + SpreadDelay(i);
      timers.push_back(std::make_unique<asio::steady_timer>(pool, deadline));
      timers.back()->async_wait([&, i, deadline](const boost::system::error_code&) {
        lateness[i] = std::chrono::steady_clock::now() - deadline;
        done.count_down();
      });
    }
    done.wait();
  }
  ReportLateness(state, lateness);
}

// ---------------------------------------------------------------- memory per pending task
// What 10,000 tasks suspended on a oneshot cost, in heap bytes per task.
//
// METHOD. `HeapInUse` is glibc's count of bytes in allocated chunks, summed
// over all arenas (so the workers' allocations count too), malloc's 8-byte
// chunk headers and rounding included: what a program really pays. Counted
// from after the vectors that hold the handles are reserved until every task
// has run its first step and suspended (`started`), so the figure is
//   one task block (TaskBlockPrefix + task core + WaitForever's frame,
//   task_block.h) + the oneshot's shared state (make_shared: the state and
//   its control block, one chunk).
// `task_bytes_per_task` counts the block alone (the oneshots are made
// first): that is the scheduler's own cost per pending task; the difference
// is the workload's channel. Asio's figure, for comparison, counts the
// coroutine frame and the wait operation, not its timer (made before).
//
// Frame recycling is switched off while measuring: a recycled block comes
// from the frame allocator's thread lists or depot, which malloc already
// counts as in use, so pooled blocks would be reused unseen and the figure
// would be too low. With recycling off every block is a fresh chunk, of the
// same size class a recycled block has (frame_allocator.cc), so the figure is
// neither less nor more than a pending task holds with recycling on; the
// pools themselves are bounded per thread, not per task.
size_t HeapInUse() { return mallinfo2().uordblks; }

Future<void> WaitForever(OneshotReceiver<int> rx, std::latch* started) {
  started->count_down();
  (void)co_await std::move(rx);
}

void MemoryPerPendingTaskOurs(benchmark::State& state) {
  // See METHOD above: recycled blocks would be hidden from HeapInUse.
  internal::SetFrameRecycling(false);
  Ours rt;
  double bytes = 0;
  double task_bytes = 0;
  for (auto _ : state) {
    std::vector<OneshotSender<int>> senders;
    std::vector<OneshotReceiver<int>> receivers;
    std::vector<Task<void>> tasks;
    senders.reserve(kPendingTasks);
    receivers.reserve(kPendingTasks);
    tasks.reserve(kPendingTasks);
    std::latch started(kPendingTasks);
    const size_t before = HeapInUse();
    for (int i = 0; i < kPendingTasks; ++i) {
      auto [tx, rx] = MakeOneshot<int>();
      senders.push_back(std::move(tx));
      receivers.push_back(std::move(rx));
    }
    const size_t oneshots_made = HeapInUse();
    for (int i = 0; i < kPendingTasks; ++i) {
      tasks.push_back(rt.ex.Spawn(WaitForever(std::move(receivers[i]), &started)));
    }
    started.wait();
    const size_t after = HeapInUse();
    bytes = static_cast<double>(after - before) / kPendingTasks;
    task_bytes = static_cast<double>(after - oneshots_made) / kPendingTasks;
  }  // dropping the tasks cancels them
  state.counters["bytes_per_task"] = bytes;
  state.counters["task_bytes_per_task"] = task_bytes;
  internal::SetFrameRecycling(true);
}

asio::awaitable<void> AsioWaitForever(asio::steady_timer* timer, std::latch* started) {
  started->count_down();
  boost::system::error_code ignored;
  co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

void MemoryPerPendingTaskAsioCoro(benchmark::State& state) {
  double bytes = 0;
  for (auto _ : state) {
    asio::thread_pool pool(kThreads);
    std::vector<std::unique_ptr<asio::steady_timer>> timers;
    timers.reserve(kPendingTasks);
    for (int i = 0; i < kPendingTasks; ++i) {
      timers.push_back(std::make_unique<asio::steady_timer>(pool, std::chrono::hours(1)));
    }
    std::latch started(kPendingTasks);
    const size_t before = HeapInUse();
    for (int i = 0; i < kPendingTasks; ++i) {
      asio::co_spawn(pool, AsioWaitForever(timers[i].get(), &started), asio::detached);
    }
    started.wait();
    bytes = static_cast<double>(HeapInUse() - before) / kPendingTasks;
    for (auto& timer : timers) timer->cancel();
    pool.join();
  }
  state.counters["bytes_per_task"] = bytes;
}

}  // namespace

#define RUNTIME_BENCHMARK(fn, name) \
  BENCHMARK(fn)->Name(name)->UseRealTime()->Unit(benchmark::kMicrosecond)
// A workload that takes its thread count, at kThreads in the main table.
#define RUNTIME_BENCHMARK_THREADS(fn, name) \
  BENCHMARK_CAPTURE(fn, main, kThreads)->Name(name)->UseRealTime()->Unit(benchmark::kMicrosecond)

RUNTIME_BENCHMARK_THREADS(SpawnManyOutsideOurs, "spawn_many_outside/ours");
RUNTIME_BENCHMARK_THREADS(SpawnManyOutsideAsioPost, "spawn_many_outside/asio_post");
RUNTIME_BENCHMARK(SpawnManyOutsideAsioCoro, "spawn_many_outside/asio_coro");
RUNTIME_BENCHMARK_THREADS(SpawnManyOutsideTbb, "spawn_many_outside/tbb");
RUNTIME_BENCHMARK(SpawnManyOutsideTbbEnqueue, "spawn_many_outside/tbb_enqueue");
RUNTIME_BENCHMARK(SpawnManyFloor, "spawn_many_outside/floor");
RUNTIME_BENCHMARK(SpawnManyFromWorkerOurs, "spawn_many_worker/ours");
RUNTIME_BENCHMARK(SpawnManyFromWorkerAsioPost, "spawn_many_worker/asio_post");
RUNTIME_BENCHMARK(SpawnManyFromWorkerTbb, "spawn_many_worker/tbb");
RUNTIME_BENCHMARK_THREADS(YieldManyOurs, "yield_many/ours");
RUNTIME_BENCHMARK_THREADS(YieldManyAsioPost, "yield_many/asio_post");
RUNTIME_BENCHMARK_THREADS(YieldManyAsioCoro, "yield_many/asio_coro");
RUNTIME_BENCHMARK(YieldManyFloor, "yield_many/floor");
RUNTIME_BENCHMARK(PingPongOurs, "ping_pong/ours");
RUNTIME_BENCHMARK(PingPongAsioPost, "ping_pong/asio_post");
RUNTIME_BENCHMARK(ChainedSpawnOurs, "chained_spawn/ours");
RUNTIME_BENCHMARK(ChainedSpawnAsioPost, "chained_spawn/asio_post");
RUNTIME_BENCHMARK(ChainedSpawnAsioCoro, "chained_spawn/asio_coro");
RUNTIME_BENCHMARK(ChainedSpawnTbb, "chained_spawn/tbb");
RUNTIME_BENCHMARK(ChainedSpawnTbbEnqueue, "chained_spawn/tbb_enqueue");
RUNTIME_BENCHMARK(ForegroundRoundTripOurs, "foreground_round_trip/ours");
RUNTIME_BENCHMARK(ForegroundRoundTripAsioPost, "foreground_round_trip/asio_post");
RUNTIME_BENCHMARK(TimersDroppedOurs, "timers_dropped/ours")->Iterations(5);
RUNTIME_BENCHMARK(TimersDroppedAsio, "timers_dropped/asio_post")->Iterations(5);
RUNTIME_BENCHMARK(TimersFiredOurs, "timers_fired/ours")->Iterations(3);
RUNTIME_BENCHMARK(TimersFiredAsio, "timers_fired/asio_post")->Iterations(3);
RUNTIME_BENCHMARK(MemoryPerPendingTaskOurs, "memory_per_pending_task/ours")->Iterations(1);
RUNTIME_BENCHMARK(MemoryPerPendingTaskAsioCoro, "memory_per_pending_task/asio_coro")->Iterations(1);

// The scaling table: spawn_many_outside and yield_many with 1, 2, 4 and 8
// threads for every runtime (`--benchmark_filter=^scaling/`). Names:
// scaling/<workload>/<runtime>/threads:<n>. On a 2-core machine, 4 and 8
// threads measure oversubscription, not parallelism.
const bool kScalingRegistered = [] {
  const struct {
    const char* name;
    void (*fn)(benchmark::State&, int);
  } workloads[] = {
      {"spawn_many_outside/ours", &SpawnManyOutsideOurs},
      {"spawn_many_outside/asio_post", &SpawnManyOutsideAsioPost},
      {"spawn_many_outside/tbb", &SpawnManyOutsideTbb},
      {"yield_many/ours", &YieldManyOurs},
      {"yield_many/asio_post", &YieldManyAsioPost},
      {"yield_many/asio_coro", &YieldManyAsioCoro},
  };
  for (const auto& w : workloads) {
    for (int threads : {1, 2, 4, 8}) {
      const std::string name =
          std::string("scaling/") + w.name + "/threads:" + std::to_string(threads);
      benchmark::RegisterBenchmark(name.c_str(), w.fn, threads)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
  return true;
}();

}  // namespace scheduler::bench
