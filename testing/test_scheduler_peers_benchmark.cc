// The TestScheduler against the peers a user could drive a deterministic test
// with instead, doing the same work in one binary and one run:
//
//   bazel run -c opt //testing:test_scheduler_peers_benchmark
//
// "ours": TestScheduler::Tick with n runnable tasks that each yield (so n stay
// queued), and AdvanceClockToNextTimer with n pending timers (each fired task
// re-arms, so n stay pending). "asio_io_context": a single-threaded
// boost::asio::io_context running the same shapes (n handlers re-posting
// themselves; n far-future steady_timers plus one due timer re-armed per fire,
// on its real clock since Asio has no fake one). "floor": a bare coroutine
// queue (scheduler/benchmarks/floor_runtime.h) and a bare binary heap.
// Names are "<workload>/<runtime>" for tools/benchmarks_report.py.
#include <chrono>
#include <coroutine>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "executor/executor.h"
#include "scheduler/benchmarks/floor_runtime.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

namespace asio = boost::asio;
using bench::FloorQueue;
using bench::FloorTask;
using bench::FloorYield;

Future<void> Spin() {
  while (true) co_await Yield();
}

Future<void> Periodic(Executor executor, Duration period) {
  while (true) co_await executor.Timer(period);
}

void StepsOurs(benchmark::State& state, int n) {
  auto scheduler = TestScheduler::Create({.seed = 1});
  Executor executor(scheduler);
  std::vector<Task<void>> tasks;
  for (int i = 0; i < n; ++i) tasks.push_back(executor.Spawn(Spin()));
  for (auto _ : state) scheduler->Tick();
  state.SetItemsProcessed(state.iterations());
  tasks.clear();
  scheduler->Shutdown();
}

struct Reposter {
  asio::io_context* io;
  void operator()() const { asio::post(*io, *this); }
};

void StepsAsio(benchmark::State& state, int n) {
  asio::io_context io(1);
  for (int i = 0; i < n; ++i) asio::post(io, Reposter{&io});
  for (auto _ : state) io.run_one();
  state.SetItemsProcessed(state.iterations());
}

FloorTask FloorSpin(FloorQueue* queue) {
  while (true) co_await FloorYield{queue};
}

// Frames that never finish are destroyed through the handles kept here.
void StepsFloor(benchmark::State& state, int n) {
  FloorQueue queue;
  std::vector<std::coroutine_handle<>> frames;
  for (int i = 0; i < n; ++i) {
    frames.push_back(FloorSpin(&queue).handle);
    queue.Push(frames.back());
  }
  for (auto _ : state) queue.RunOne();
  state.SetItemsProcessed(state.iterations());
  for (std::coroutine_handle<> h : frames) h.destroy();
}

void TimersOurs(benchmark::State& state, int n) {
  auto scheduler = TestScheduler::Create({.seed = 1});
  Executor executor(scheduler);
  std::vector<Task<void>> tasks;
  for (int i = 0; i < n; ++i) {
    tasks.push_back(executor.Spawn(Periodic(executor, std::chrono::microseconds(1 + i % 997))));
  }
  scheduler->RunUntilParked();
  for (auto _ : state) scheduler->AdvanceClockToNextTimer();
  state.SetItemsProcessed(state.iterations());
  tasks.clear();
  scheduler->Shutdown();
}

void TimersAsio(benchmark::State& state, int n) {
  asio::io_context io(1);
  std::vector<std::unique_ptr<asio::steady_timer>> parked;
  for (int i = 0; i < n - 1; ++i) {
    parked.push_back(std::make_unique<asio::steady_timer>(io, std::chrono::hours(1 + i)));
    parked.back()->async_wait([](const boost::system::error_code&) {});
  }
  asio::steady_timer due(io);
  for (auto _ : state) {
    due.expires_at(std::chrono::steady_clock::time_point());  // already due
    due.async_wait([](const boost::system::error_code&) {});
    io.run_one();
  }
  state.SetItemsProcessed(state.iterations());
  for (auto& t : parked) t->cancel();
  io.run();
}

void TimersFloor(benchmark::State& state, int n) {
  using Entry = std::pair<int64_t, int>;  // (deadline, task)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  for (int i = 0; i < n; ++i) heap.emplace(1 + i % 997, i);
  int64_t now = 0;
  for (auto _ : state) {
    const Entry top = heap.top();
    heap.pop();
    now = top.first;
    heap.emplace(now + 1 + top.second % 997, top.second);
  }
  benchmark::DoNotOptimize(now);
  state.SetItemsProcessed(state.iterations());
}

template <typename Fn>
void Register(const std::string& name, Fn fn, int n) {
  benchmark::RegisterBenchmark(name.c_str(), [fn, n](benchmark::State& s) { fn(s, n); });
}

}  // namespace
}  // namespace scheduler

// Registered at start-up; main() is //scheduler/benchmarks:benchmark_main.
const bool kRegistered = [] {
  using namespace scheduler;
  for (int n : {10, 1000, 100000}) {
    const std::string w = "test_steps_n" + std::to_string(n);
    Register(w + "/ours", StepsOurs, n);
    Register(w + "/asio_io_context", StepsAsio, n);
    Register(w + "/floor", StepsFloor, n);
  }
  for (int n : {100, 10000, 100000}) {
    const std::string w = "test_timers_n" + std::to_string(n);
    Register(w + "/ours", TimersOurs, n);
    Register(w + "/asio_io_context", TimersAsio, n);
    Register(w + "/floor", TimersFloor, n);
  }
  return true;
}();
