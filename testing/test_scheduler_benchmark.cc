// How the TestScheduler's cost per step scales with the number of queued
// tasks and pending timers. Steps/second should stay flat from 10 to 100,000
// runnable tasks (the ready queues pick in O(1) (random) / O(log n) (PCT)) and
// from 100 to 100,000 timers (a binary heap keyed by (deadline, sequence)).
//
//   bazel run -c opt //testing:test_scheduler_benchmark
//
// Compare items_per_second across the sizes of one benchmark (the smallest
// size is the peer each larger size is quoted against), and against the
// BM_PeerBare* runs of the same tasks on a bare scheduler (see BareScheduler):
// once n tasks no longer fit in cache every scheduler slows down; a flat
// TestScheduler/peer ratio means the TestScheduler's own work per step does
// not grow with n.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "benchmark/benchmark.h"
#include "executor/executor.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

Future<void> Spin() {
  while (true) co_await Yield();
}

Future<void> Periodic(Executor executor, Duration period) {
  while (true) co_await executor.Timer(period);
}

// One Tick with `n` runnable tasks queued; the task that runs yields, which
// queues it again, so the queue stays at `n`.
void TickWithQueuedTasks(benchmark::State& state, Strategy strategy, bool foreground) {
  const int n = static_cast<int>(state.range(0));
  auto scheduler = TestScheduler::Create(
      {.seed = 1, .strategy = strategy, .pct_depth = 3, .pct_max_steps = 1000000});
  Executor background(scheduler);
  std::vector<ForegroundExecutor> sessions;
  for (int i = 0; i < 16; ++i) sessions.emplace_back(scheduler);
  std::vector<Task<void>> tasks;
  tasks.reserve(n);
  for (int i = 0; i < n; ++i) {
    tasks.push_back(foreground ? sessions[i % sessions.size()].Spawn(Spin())
                               : background.Spawn(Spin()));
  }
  for (auto _ : state) {
    if (!scheduler->Tick()) state.SkipWithError("nothing runnable");
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["queued"] = static_cast<double>(scheduler->runnable_count());
  tasks.clear();
  scheduler->Shutdown();
}

void BM_TickRandom(benchmark::State& state) {
  TickWithQueuedTasks(state, Strategy::kRandom, false);
}
void BM_TickRandomForeground16Sessions(benchmark::State& state) {
  TickWithQueuedTasks(state, Strategy::kRandom, true);
}
void BM_TickPct(benchmark::State& state) { TickWithQueuedTasks(state, Strategy::kPct, false); }
void BM_TickPctForeground16Sessions(benchmark::State& state) {
  TickWithQueuedTasks(state, Strategy::kPct, true);
}

BENCHMARK(BM_TickRandom)->RangeMultiplier(10)->Range(10, 100000);
BENCHMARK(BM_TickRandomForeground16Sessions)->RangeMultiplier(10)->Range(10, 100000);
BENCHMARK(BM_TickPct)->RangeMultiplier(10)->Range(10, 100000);
BENCHMARK(BM_TickPctForeground16Sessions)->RangeMultiplier(10)->Range(10, 100000);

// One timer fire with `n` timers pending: AdvanceClockToNextTimer pops the
// earliest (moving the clock), runs the timer and the task awaiting it, which
// arms its next timer, so `n` stay pending.
void BM_FireTimer(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto scheduler = TestScheduler::Create({.seed = 1});
  Executor executor(scheduler);
  std::vector<Task<void>> tasks;
  tasks.reserve(n);
  for (int i = 0; i < n; ++i) {
    // Periods spread over 1..1000 ms so deadlines interleave.
    tasks.push_back(
        executor.Spawn(Periodic(executor, std::chrono::milliseconds(1 + (i * 7919) % 1000))));
  }
  scheduler->RunUntilParked();  // every task arms its first timer
  for (auto _ : state) {
    if (!scheduler->AdvanceClockToNextTimer()) state.SkipWithError("no timer");
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["timers"] = static_cast<double>(scheduler->timer_count());
  tasks.clear();
  scheduler->Shutdown();
}

BENCHMARK(BM_FireTimer)->RangeMultiplier(10)->Range(100, 100000);

// --- Peers: the same tasks on a bare scheduler. ---

// The least a seeded random scheduler can do: a vector of runnables, a
// random pick (swap-remove), a binary heap of timers. No lock, trace,
// registry, sessions or labels. Its cost per step grows with n only through
// cache misses on the n tasks' frames and cores, which the TestScheduler pays
// too; the TestScheduler/peer ratio is what the TestScheduler adds.
class BareScheduler final : public Scheduler {
 public:
  BareScheduler() : Scheduler(std::make_shared<Context>(this)) {}

  void Schedule(Runnable runnable) override { ready_.push_back(std::move(runnable)); }
  void ScheduleForeground(Runnable runnable) override { Schedule(std::move(runnable)); }
  void ScheduleAfter(Duration delay, Runnable runnable) override {
    timers_.push_back(Timer{now_ + delay, sequence_++, std::move(runnable)});
    std::push_heap(timers_.begin(), timers_.end(), FiresLater);
  }
  bool Step() {
    if (ready_.empty()) return false;
    const size_t pick =
        static_cast<size_t>((static_cast<unsigned __int128>(XorShift()) * ready_.size()) >> 64);
    Runnable r = std::move(ready_[pick]);
    ready_[pick] = std::move(ready_.back());
    ready_.pop_back();
    r.Run();
    return true;
  }
  bool FireNextTimer() {
    if (timers_.empty()) return false;
    std::pop_heap(timers_.begin(), timers_.end(), FiresLater);
    Timer t = std::move(timers_.back());
    timers_.pop_back();
    now_ = t.deadline;
    ready_.push_back(std::move(t.runnable));
    while (Step()) {
    }
    return true;
  }
  void Clear() {
    ready_.clear();
    timers_.clear();
  }

 private:
  // Its fake clock; single-threaded, never parks.
  class Context final : public SchedulerContext {
   public:
    explicit Context(const BareScheduler* owner) : owner_(owner) {}
    bool Park(std::optional<Duration>) override { return false; }
    Unparker GetUnparker() override { return Unparker(); }
    bool IsMainThread() const override { return true; }
    Instant Now() const override { return owner_->now_; }

   private:
    const BareScheduler* owner_;
  };

  struct Timer {
    Instant deadline;
    uint64_t sequence;
    Runnable runnable;
  };
  static bool FiresLater(const Timer& a, const Timer& b) {
    return a.deadline != b.deadline ? a.deadline > b.deadline : a.sequence > b.sequence;
  }
  uint64_t XorShift() {
    x_ ^= x_ << 13;
    x_ ^= x_ >> 7;
    x_ ^= x_ << 17;
    return x_;
  }

  std::vector<Runnable> ready_;
  std::vector<Timer> timers_;
  Instant now_{};
  uint64_t sequence_ = 0;
  uint64_t x_ = 88172645463325252ull;
};

void BM_PeerBareStep(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto bare = std::make_shared<BareScheduler>();
  std::vector<Task<void>> tasks;
  for (int i = 0; i < n; ++i) tasks.push_back(Spawn(bare, Spin()));
  for (auto _ : state) {
    if (!bare->Step()) state.SkipWithError("nothing runnable");
  }
  state.SetItemsProcessed(state.iterations());
  tasks.clear();
  bare->Clear();
}
BENCHMARK(BM_PeerBareStep)->RangeMultiplier(10)->Range(10, 100000);

void BM_PeerBareFireTimer(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto bare = std::make_shared<BareScheduler>();
  Executor executor(bare);
  std::vector<Task<void>> tasks;
  for (int i = 0; i < n; ++i) {
    tasks.push_back(
        executor.Spawn(Periodic(executor, std::chrono::milliseconds(1 + (i * 7919) % 1000))));
  }
  while (bare->Step()) {
  }
  for (auto _ : state) {
    if (!bare->FireNextTimer()) state.SkipWithError("no timer");
  }
  state.SetItemsProcessed(state.iterations());
  tasks.clear();
  bare->Clear();
}
BENCHMARK(BM_PeerBareFireTimer)->RangeMultiplier(10)->Range(100, 100000);

}  // namespace
}  // namespace scheduler
