// WhenAll, Race, WhenAny and WithTimeout (scheduler/combinators.h): results,
// cancellation of the other branches before the result is returned, the fake
// clock, and sweeps over many seeds (random and PCT) with the awaiting task
// cancelled at every await.
#include "scheduler/combinators.h"

#include <chrono>
#include <coroutine>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "executor/executor.h"
#include "gtest/gtest.h"
#include "scheduler/spawn.h"
#include "scheduler/sync.h"
#include "scheduler/tests/sweep_util.h"
#include "scheduler/tests/sync_test_util.h"
#include "scheduler/yield.h"
#include "testing/harness.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

using std::chrono::milliseconds;
using testing_util::FrameCounts;
using testing_util::FrameProbe;

Future<int> After(Executor ex, milliseconds delay, int value, FrameCounts* counts) {
  FrameProbe probe(*counts);
  co_await ex.Timer(delay);
  co_return value;
}

Future<int> ThrowAfter(Executor ex, milliseconds delay, FrameCounts* counts) {
  FrameProbe probe(*counts);
  co_await ex.Timer(delay);
  throw std::runtime_error("branch failed");
}

Future<void> Sleep(Executor ex, milliseconds delay) { co_await ex.Timer(delay); }

Future<void> Forever(FrameCounts* counts) {
  FrameProbe probe(*counts);
  Event never(Event::kManualReset);
  co_await never.Wait();
}

TEST(WhenAllTest, YieldsValuesInArgumentOrderWhateverOrderTheyFinish) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  FrameCounts counts;
  Task<std::tuple<int, int, std::monostate>> all = ex.Spawn([&]() {
    return WhenAll(After(ex, milliseconds(30), 1, &counts), After(ex, milliseconds(10), 2, &counts),
                   Sleep(ex, milliseconds(20)));
  });
  scheduler->RunUntilParked();
  scheduler->AdvanceClock(milliseconds(29));
  EXPECT_FALSE(all.IsReady());
  scheduler->AdvanceClock(milliseconds(1));
  ASSERT_TRUE(all.IsReady());
  auto [a, b, c] = ex.Block(std::move(all));
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 2);
  EXPECT_EQ(counts.alive(), 0);
}

TEST(WhenAllTest, RangeYieldsValuesInInputOrder) {
  auto scheduler = TestScheduler::Create({.seed = 3});
  Executor ex(scheduler);
  FrameCounts counts;
  Task<std::vector<int>> all = ex.Spawn([&]() {
    std::vector<Future<int>> futures;
    for (int i = 0; i < 5; ++i) futures.push_back(After(ex, milliseconds(10 - i), i, &counts));
    return WhenAll(std::move(futures));
  });
  scheduler->RunUntilParked();  // the branches start their timers
  scheduler->AdvanceClock(milliseconds(10));
  ASSERT_TRUE(all.IsReady());
  EXPECT_EQ(ex.Block(std::move(all)), (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(counts.alive(), 0);
}

TEST(WhenAllTest, EmptyRangeCompletesAtOnce) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  EXPECT_TRUE(ex.Block([]() { return WhenAll(std::vector<Future<int>>()); }).empty());
}

TEST(WhenAllTest, FirstExceptionCancelsTheRestBeforeItPropagates) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  FrameCounts counts;
  int alive_when_caught = -1;
  std::string message;
  Task<void> task = ex.Spawn([&]() -> Future<void> {
    try {
      co_await WhenAll(After(ex, milliseconds(50), 1, &counts),
                       ThrowAfter(ex, milliseconds(5), &counts),
                       After(ex, milliseconds(60), 3, &counts));
    } catch (const std::runtime_error& e) {
      message = e.what();
      alive_when_caught = counts.alive();
    }
  });
  scheduler->RunUntilParked();  // the branches start their timers
  scheduler->AdvanceClock(milliseconds(5));
  ASSERT_TRUE(task.IsReady());
  EXPECT_EQ(message, "branch failed");
  EXPECT_EQ(alive_when_caught, 0) << "the other branches' frames must be gone first";
  EXPECT_EQ(counts.destroyed.load(), 3);
}

TEST(RaceTest, FirstToFinishWinsAndLosersAreDestroyedBeforeTheResult) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  FrameCounts counts;
  int alive_after_race = -1;
  Task<std::variant<int, std::monostate>> race =
      ex.Spawn([&]() -> Future<std::variant<int, std::monostate>> {
        auto result = co_await Race(After(ex, milliseconds(5), 7, &counts), Forever(&counts));
        alive_after_race = counts.alive();
        co_return result;
      });
  scheduler->RunUntilParked();  // the branches start their timers
  scheduler->AdvanceClock(milliseconds(5));
  ASSERT_TRUE(race.IsReady());
  std::variant<int, std::monostate> result = ex.Block(std::move(race));
  ASSERT_EQ(result.index(), 0u);
  EXPECT_EQ(std::get<0>(result), 7);
  EXPECT_EQ(alive_after_race, 0);
}

TEST(RaceTest, AWinnerThatThrowsStillWins) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  FrameCounts counts;
  Task<std::variant<int, int>> race = ex.Spawn([&]() {
    return Race(ThrowAfter(ex, milliseconds(1), &counts), After(ex, milliseconds(2), 2, &counts));
  });
  scheduler->RunUntilParked();  // the branches start their timers
  scheduler->AdvanceClock(milliseconds(2));
  ASSERT_TRUE(race.IsReady());
  EXPECT_THROW(ex.Block(std::move(race)), std::runtime_error);
  EXPECT_EQ(counts.alive(), 0);
}

TEST(WhenAnyTest, ReportsTheWinnersIndex) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  FrameCounts counts;
  Task<WhenAnyResult<int>> any = ex.Spawn([&]() {
    std::vector<Future<int>> futures;
    futures.push_back(After(ex, milliseconds(9), 10, &counts));
    futures.push_back(After(ex, milliseconds(3), 11, &counts));
    futures.push_back(After(ex, milliseconds(6), 12, &counts));
    return WhenAny(std::move(futures));
  });
  scheduler->RunUntilParked();  // the branches start their timers
  scheduler->AdvanceClock(milliseconds(3));
  ASSERT_TRUE(any.IsReady());
  WhenAnyResult<int> r = ex.Block(std::move(any));
  EXPECT_EQ(r.index, 1u);
  EXPECT_EQ(r.value, 11);
  EXPECT_EQ(counts.alive(), 0);
}

TEST(WithTimeoutTest, ExpiresExactlyAtTheDeadlineOnTheFakeClock) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  FrameCounts counts;
  Task<std::optional<int>> t = ex.Spawn(
      [&]() { return WithTimeout(After(ex, milliseconds(10), 1, &counts), milliseconds(5)); });
  scheduler->RunUntilParked();  // the branches start their timers
  scheduler->AdvanceClock(milliseconds(4));
  EXPECT_FALSE(t.IsReady());
  scheduler->AdvanceClock(milliseconds(1));
  ASSERT_TRUE(t.IsReady());
  EXPECT_EQ(ex.Block(std::move(t)), std::nullopt);
  EXPECT_EQ(counts.alive(), 0) << "the timed-out future's frame is destroyed";
}

TEST(WithTimeoutTest, YieldsTheValueWhenInTimeAndDropsTheTimer) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  FrameCounts counts;
  Task<std::optional<int>> t = ex.Spawn(
      [&]() { return WithTimeout(After(ex, milliseconds(3), 42, &counts), milliseconds(5)); });
  scheduler->RunUntilParked();  // the branches start their timers
  scheduler->AdvanceClock(milliseconds(3));
  ASSERT_TRUE(t.IsReady());
  EXPECT_EQ(ex.Block(std::move(t)), 42) << "the pending timeout timer does not hold the result";
}

TEST(WithTimeoutTest, VoidFutureReportsWhetherItFinished) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  FrameCounts counts;
  Task<bool> t = ex.Spawn([&]() { return WithTimeout(Forever(&counts), milliseconds(1)); });
  scheduler->RunUntilParked();  // the branches start their timers
  scheduler->AdvanceClock(milliseconds(1));
  ASSERT_TRUE(t.IsReady());
  EXPECT_FALSE(ex.Block(std::move(t)));
  EXPECT_EQ(counts.alive(), 0);
}

// The losing branch finishes its destruction after the race has moved on to
// another await: its wake-up must not resume the task there (STALE WAKE-UPS).
TEST(RaceTest, ALateLoserCannotResumeTheTaskAtItsNextAwait) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  FrameCounts counts;
  Event go(Event::kManualReset);
  bool past_event = false;
  Task<void> task = ex.Spawn([&]() -> Future<void> {
    co_await Race(After(ex, milliseconds(1), 1, &counts), After(ex, milliseconds(1), 2, &counts));
    co_await go.Wait();
    past_event = true;
  });
  scheduler->RunUntilParked();  // the branches start their timers
  scheduler->AdvanceClock(milliseconds(1));
  scheduler->RunUntilParked();
  EXPECT_FALSE(past_event) << "a stale wake-up resumed the task before the event was set";
  go.Set();
  scheduler->RunUntilParked();
  EXPECT_TRUE(past_event);
}

// A coroutine type of the test's own: its body runs on the calling thread,
// outside any task (what a user's own coroutine type awaiting a Future does).
struct Eager {
  struct promise_type {
    Eager get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };
};

Eager AwaitOutsideATask(Future<void> future) { co_await std::move(future); }

TEST(CombinatorDeathTest, AwaitingOutsideATaskNamesTheCallSite) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        Executor ex(scheduler);
        std::vector<Future<void>> futures;
        futures.push_back(Sleep(ex, milliseconds(1)));
        AwaitOutsideATask(WhenAll(std::move(futures)));
      },
      "WhenAll awaited outside of a task at .*combinators_test.cc");
}

// --- Sweeps: many seeds, the awaiting task cancelled at every await. ---

// Branch i yields a seeded number of times, holds a probe, and (if asked)
// throws. The parent runs a combinator over them and is dropped after a
// seeded number of steps (possibly never). Invariants: every frame destroyed
// exactly once (FrameProbe), nothing alive at the end, and the result is
// consistent with the branches when the parent finished.
Future<int> Branch(Executor ex, int i, bool fail, FrameCounts* counts, std::atomic<int>* steps) {
  FrameProbe probe(*counts);
  co_await ex.SimulateRandomDelay();
  steps->fetch_add(1);
  co_await Yield();
  if (fail) throw std::runtime_error("fail " + std::to_string(i));
  co_return i;
}

void CombinatorSweep(const std::shared_ptr<TestScheduler>& scheduler, int which) {
  Executor ex(scheduler);
  FrameCounts counts;
  std::atomic<int> steps{0};
  const int n = 2 + static_cast<int>(scheduler->Rng().Below(3));
  const int failing = static_cast<int>(scheduler->Rng().Below(2 * n));  // >= n: none fails
  const uint64_t cancel_after = scheduler->Rng().Below(40);
  std::optional<std::string> outcome;
  Task<void> parent = ex.Spawn([&]() -> Future<void> {
    FrameProbe probe(counts);
    std::vector<Future<int>> futures;
    for (int i = 0; i < n; ++i) futures.push_back(Branch(ex, i, i == failing, &counts, &steps));
    try {
      if (which == 0) {
        std::vector<int> values = co_await WhenAll(std::move(futures));
        for (int i = 0; i < n; ++i) EXPECT_EQ(values[i], i);
        EXPECT_GE(failing, n) << "WhenAll returned values though branch " << failing << " failed";
        outcome = "all";
      } else if (which == 1) {
        WhenAnyResult<int> r = co_await WhenAny(std::move(futures));
        EXPECT_EQ(r.value, static_cast<int>(r.index));
        outcome = "any";
      } else {
        std::optional<std::vector<int>> r =
            co_await WithTimeout(WhenAll(std::move(futures)), milliseconds(1));
        outcome = r.has_value() ? "in time" : "timed out";
      }
      // A timed-out WhenAll branch is destroyed before WithTimeout returns;
      // its own branches, cancelled by that destruction, go when the
      // scheduler next looks at them (as any dropped Task's), so they are
      // counted at the end of the run instead.
      if (outcome != "timed out") {
        EXPECT_EQ(counts.alive(), 1) << "only the parent's frame may be left when a combinator "
                                        "returns";
      }
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), "fail " + std::to_string(failing));
      EXPECT_EQ(counts.alive(), 1)
          << "only the parent's frame may be left when a combinator throws";
      outcome = "threw";
    }
  });
  for (uint64_t i = 0; i < cancel_after && scheduler->Tick();) ++i;
  if (cancel_after % 3 == 0) parent = Task<void>();  // cancel wherever it is
  scheduler->RunUntilParked();
  if (which == 2) scheduler->AdvanceClock(milliseconds(1));
  scheduler->RunUntilParked();
  if (parent.valid()) {
    EXPECT_TRUE(parent.IsReady());
    EXPECT_TRUE(outcome.has_value());
  }
  parent = Task<void>();
  scheduler->RunUntilParked();
  EXPECT_EQ(counts.alive(), 0) << "a frame outlived the run";
  EXPECT_EQ(scheduler->timer_count(), 0u);
}

void WhenAllSweep(const std::shared_ptr<TestScheduler>& scheduler) {
  CombinatorSweep(scheduler, 0);
}
void WhenAnySweep(const std::shared_ptr<TestScheduler>& scheduler) {
  CombinatorSweep(scheduler, 1);
}
void WithTimeoutSweep(const std::shared_ptr<TestScheduler>& scheduler) {
  CombinatorSweep(scheduler, 2);
}

SYNC_SWEEP(CombinatorSweep, WhenAll, WhenAllSweep, /*depth=*/2, /*max_steps=*/60)
SYNC_SWEEP(CombinatorSweep, WhenAny, WhenAnySweep, /*depth=*/2, /*max_steps=*/60)
SYNC_SWEEP(CombinatorSweep, WithTimeout, WithTimeoutSweep, /*depth=*/2, /*max_steps=*/60)

}  // namespace
}  // namespace scheduler
