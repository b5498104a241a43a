// The TestScheduler behaves like the scheduler its seeds come from (Zed's
// `TestScheduler`): Block moves the fake clock when a timer is the only way
// forward, AdvanceClock runs what is runnable first, RunUntilParked fires due
// timers, a yield inside a blocked future is a scheduling point, a
// BlockWithTimeout counts the blocked future's own steps, and cancelled timers
// leave the heap. Each behaviour runs over many seeds under the random and PCT
// strategies, each seed twice (same seed, same trace hash).
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "executor/executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/yield.h"
#include "testing/harness.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Runs `body` for 60 seeds under random and 60 under PCT, each seed twice.
#define ZED_TEST(name)                                                                           \
  void name(const std::shared_ptr<TestScheduler>& scheduler);                                    \
  SCHEDULER_TEST_WITH(ZedSemantics, name##Random, .iterations = 60, .check_determinism = true) { \
    name(scheduler);                                                                             \
  }                                                                                              \
  SCHEDULER_TEST_WITH(ZedSemantics, name##Pct, .iterations = 60, .strategy = Strategy::kPct,     \
                      .pct_depth = 2, .pct_max_steps = 100, .check_determinism = true) {         \
    name(scheduler);                                                                             \
  }                                                                                              \
  void name(const std::shared_ptr<TestScheduler>& scheduler)

Future<void> LogAfter(Executor executor, int ms, std::vector<int>* log) {
  co_await executor.Timer(milliseconds(ms));
  log->push_back(ms);
}

// 1. Nothing runnable, parking forbidden, timers pending: Block moves the
// clock to the next timer and goes on, so the three complete in deadline
// order with nobody calling AdvanceClock.
ZED_TEST(BlockMovesTheClockToTheNextTimer) {
  Executor executor(scheduler);
  const Instant start = scheduler->Now();
  std::vector<int> log;
  std::vector<Task<void>> timers;
  for (int ms : {100, 50, 150}) timers.push_back(executor.Spawn(LogAfter(executor, ms, &log)));
  executor.Block([&timers]() -> Future<void> {
    for (Task<void>& t : timers) co_await std::move(t);
  });
  EXPECT_THAT(log, ElementsAre(50, 100, 150));
  EXPECT_EQ(scheduler->Now() - start, milliseconds(150));
}

// The same from a ForegroundExecutor, awaiting the timers directly.
ZED_TEST(ForegroundBlockAwaitsTimersDirectly) {
  ForegroundExecutor foreground(scheduler);
  const Instant start = scheduler->Now();
  const Instant end = foreground.Block([&]() -> Future<Instant> {
    Task<void> a = foreground.Timer(milliseconds(100));
    Task<void> b = foreground.Timer(milliseconds(50));
    co_await std::move(b);
    co_await std::move(a);
    co_return scheduler->Now();
  });
  EXPECT_EQ(end - start, milliseconds(100));
}

// A BlockWithTimeout moves the clock to timers within its timeout only.
ZED_TEST(BlockWithTimeoutMovesTheClockWithinItsTimeoutOnly) {
  Executor executor(scheduler);
  scheduler->SetBlockOnTicks(1000, 1000);
  const Instant start = scheduler->Now();
  BlockResult<void> in_time =
      executor.BlockWithTimeout(milliseconds(200), executor.Timer(milliseconds(100)));
  EXPECT_TRUE(in_time.finished());
  EXPECT_EQ(scheduler->Now() - start, milliseconds(100));
  BlockResult<void> too_late =
      executor.BlockWithTimeout(milliseconds(50), executor.Timer(milliseconds(100)));
  EXPECT_TRUE(too_late.timed_out());
  EXPECT_EQ(scheduler->Now() - start, milliseconds(100)) << "the clock stays put";
}

// 2. AdvanceClock runs what is runnable first: a task queued before the call
// that arms a timer of the same length sees it fire within the call.
ZED_TEST(AdvanceClockRunsWhatIsRunnableFirst) {
  Executor executor(scheduler);
  const Instant start = scheduler->Now();
  Instant fired_at{};
  Task<void> task = executor.Spawn([&]() -> Future<void> {
    co_await executor.Timer(milliseconds(100));
    fired_at = scheduler->Now();
  });
  scheduler->AdvanceClock(milliseconds(100));
  ASSERT_TRUE(task.IsReady());
  EXPECT_EQ(fired_at - start, milliseconds(100));
  EXPECT_EQ(scheduler->Now() - start, milliseconds(100));
}

// ... then fires timers in deadline order, running what each wakes (here a
// timer armed by an earlier one) before moving on.
ZED_TEST(AdvanceClockFiresInDeadlineOrderRunningWhatEachWakes) {
  Executor executor(scheduler);
  const Instant start = scheduler->Now();
  std::vector<std::pair<int, Duration>> log;
  auto after = [&](int ms, int then_ms) -> Future<void> {
    co_await executor.Timer(milliseconds(ms));
    log.emplace_back(ms, scheduler->Now() - start);
    if (then_ms > 0) {
      co_await executor.Timer(milliseconds(then_ms));
      log.emplace_back(ms + then_ms, scheduler->Now() - start);
    }
  };
  Task<void> a = executor.Spawn(after(30, 30));
  Task<void> b = executor.Spawn(after(50, 0));
  scheduler->AdvanceClock(milliseconds(100));
  EXPECT_THAT(log, ElementsAre(std::pair<int, Duration>(30, milliseconds(30)),
                               std::pair<int, Duration>(50, milliseconds(50)),
                               std::pair<int, Duration>(60, milliseconds(60))));
}

// 3. RunUntilParked fires timers that are already due: after
// AdvanceClockToNextTimer fires one of two timers with equal deadlines, the
// other is due, and fires too.
ZED_TEST(RunUntilParkedFiresDueTimers) {
  Executor executor(scheduler);
  Task<void> a = executor.Timer(milliseconds(50));
  Task<void> b = executor.Timer(milliseconds(50));
  ASSERT_TRUE(scheduler->AdvanceClockToNextTimer());
  EXPECT_EQ(a.IsReady() + b.IsReady(), 1) << "AdvanceClockToNextTimer fires exactly one";
  EXPECT_EQ(scheduler->timer_count(), 1u);
  scheduler->RunUntilParked();
  EXPECT_TRUE(a.IsReady());
  EXPECT_TRUE(b.IsReady());
  EXPECT_EQ(scheduler->timer_count(), 0u);
}

// 4. A yield inside a blocked future is a scheduling point: other sessions'
// and background tasks run between its steps; the blocking session's own
// queued tasks do not.
ZED_TEST(YieldInsideABlockedFutureLetsOthersRun) {
  ForegroundExecutor mine(scheduler);
  ForegroundExecutor other(scheduler);
  Executor background(scheduler);
  int others = 0;
  int own = 0;
  auto spin = [](int* counter) -> Future<void> {
    while (true) {
      ++*counter;
      co_await Yield();
    }
  };
  Task<void> b = background.Spawn(spin(&others));
  Task<void> o = other.Spawn(spin(&others));
  Task<void> m = mine.Spawn(spin(&own));
  mine.Block([]() -> Future<void> {
    for (int i = 0; i < 20; ++i) co_await Yield();
  });
  EXPECT_GE(others, 20) << "one other step between any two steps of the blocked future";
  EXPECT_EQ(own, 0) << "the blocking session's own task ran";
}

// 5. BlockWithTimeout counts the blocked future's own steps: a future that
// only re-yields times out (it used to hang the test).
ZED_TEST(BlockWithTimeoutCountsTheFuturesOwnSteps) {
  Executor executor(scheduler);
  scheduler->SetBlockOnTicks(10, 10);
  int steps = 0;
  BlockResult<void> r = executor.BlockWithTimeout(milliseconds(10), [&steps]() -> Future<void> {
    while (true) {
      ++steps;
      co_await Yield();
    }
  });
  EXPECT_TRUE(r.timed_out());
  EXPECT_GE(steps, 10);
  EXPECT_LE(steps, 12);
}

// 17. A cancelled timer leaves the heap: the clock never jumps to it.
ZED_TEST(CancelledTimersLeaveTheHeap) {
  Executor executor(scheduler);
  const Instant start = scheduler->Now();
  { Task<void> dropped = executor.Timer(std::chrono::hours(1)); }
  EXPECT_EQ(scheduler->timer_count(), 0u);
  EXPECT_FALSE(scheduler->AdvanceClockToNextTimer());
  EXPECT_EQ(scheduler->Now(), start);
  // A Block moves the clock to the live timer, not to the dropped one.
  Task<void> dropped_again = executor.Timer(milliseconds(5));
  Task<void> live = executor.Timer(milliseconds(20));
  { Task<void> gone = std::move(dropped_again); }
  executor.Block(std::move(live));
  EXPECT_EQ(scheduler->Now() - start, milliseconds(20));
}

// 14. Deprioritize also moves the label's runnables already queued: none of
// them runs while anything else can.
ZED_TEST(DeprioritizeMovesQueuedRunnables) {
  Executor executor(scheduler);
  const TaskLabel slow = TaskLabel::New();
  std::vector<char> log;
  auto note = [&log](char c) -> Future<void> {
    log.push_back(c);
    co_return;
  };
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 4; ++i) {
    tasks.push_back(executor.SpawnLabeled(slow, note('d')));
    tasks.push_back(executor.Spawn(note('n')));
  }
  executor.Deprioritize(slow);
  scheduler->RunUntilParked();
  EXPECT_THAT(log, ElementsAre('n', 'n', 'n', 'n', 'd', 'd', 'd', 'd'));
}

// The queue behind fair random (and the chooser strategies) moves them too.
TEST(ZedSemantics, DeprioritizeMovesQueuedRunnablesUnderFairRandom) {
  for (uint64_t seed = 0; seed < 40; ++seed) {
    auto scheduler = TestScheduler::Create({.seed = seed, .strategy = Strategy::kFairRandom});
    DeprioritizeMovesQueuedRunnables(scheduler);
  }
}

// --- 6. Wakers on foreign threads while parking is forbidden. ---

TestSchedulerConfig Throwing(std::string* report, TestSchedulerConfig config = {}) {
  config.on_failure = [report](const std::string& r) {
    *report = r;
    throw std::runtime_error("test scheduler failure");
  };
  return config;
}

// Suspends the task and hands its Waker to `*out`; with `wake`, also wakes it
// at once (so the task goes on and can finish, leaving the copy behind).
struct GrabWaker {
  using IsSchedulerAwaitable = void;
  Waker* out;
  bool wake;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    Waker waker = internal::SuspendCurrentTask(h);
    *out = waker;
    if (wake) waker.Wake();
  }
  void await_resume() const noexcept {}
};

std::string Site(const TaskMetadata& m) {
  return absl::StrCat("zed_semantics_test.cc:", m.location.line());
}

TEST(ZedSemantics, WakingAFinishedTasksWakerOnAForeignThreadIsReported) {
  std::string report;
  auto scheduler = TestScheduler::Create(Throwing(&report));
  Executor executor(scheduler);
  Waker saved;
  Task<void> task = executor.Spawn([&saved]() -> Future<void> {
    co_await GrabWaker{&saved, true};
  });
  scheduler->RunUntilParked();
  ASSERT_TRUE(task.IsReady());
  std::thread([&saved] { saved.Wake(); }).join();  // schedules nothing: the task is done
  EXPECT_THROW(scheduler->CheckFailures(), std::runtime_error);
  EXPECT_THAT(report, HasSubstr("Non-determinism: a Waker of task#"));
  EXPECT_THAT(report, HasSubstr(Site(task.metadata())));
  EXPECT_THAT(report, HasSubstr("was woken on a thread other than the one driving"));
}

TEST(ZedSemantics, DroppingAWakerOnAForeignThreadIsReported) {
  std::string report;
  auto scheduler = TestScheduler::Create(Throwing(&report));
  Executor executor(scheduler);
  Waker saved;
  Task<void> task = executor.Spawn([&saved]() -> Future<void> {
    co_await GrabWaker{&saved, true};
  });
  scheduler->RunUntilParked();
  std::thread([w = std::move(saved)]() mutable { w = Waker(); }).join();
  EXPECT_THROW(scheduler->CheckFailures(), std::runtime_error);
  EXPECT_THAT(report, HasSubstr(Site(task.metadata())));
  EXPECT_THAT(report, HasSubstr("was dropped on a thread other than the one driving"));
}

// The blocked future's Waker: its wake goes to the block's driver, never to
// the scheduler's queue, and is reported all the same.
TEST(ZedSemantics, WakingTheBlockedFutureOnAForeignThreadIsReported) {
  std::string report;
  auto scheduler = TestScheduler::Create(Throwing(&report));
  Executor executor(scheduler);
  Waker blocked;
  Task<void> helper = executor.Spawn([&blocked]() -> Future<void> {
    while (!blocked) co_await Yield();
    std::thread([&blocked] { blocked.Wake(); }).join();
  });
  EXPECT_THROW(executor.Block([&blocked]() -> Future<void> {
    co_await GrabWaker{&blocked, false};
  }),
               std::runtime_error);
  EXPECT_THAT(report, HasSubstr("was woken on a thread other than the one driving"));
  EXPECT_THAT(report, HasSubstr("zed_semantics_test.cc"));
}

// With parking allowed, other threads are part of the test: nothing to report.
TEST(ZedSemantics, ForeignWakersAreFineWithParkingAllowed) {
  auto scheduler = TestScheduler::Create({.allow_parking = true});
  Executor executor(scheduler);
  Waker saved;
  Task<void> task = executor.Spawn([&saved]() -> Future<void> {
    co_await GrabWaker{&saved, true};
  });
  scheduler->RunUntilParked();
  std::thread([w = std::move(saved)]() mutable {
    w.Wake();
    w = Waker();
  }).join();
  scheduler->CheckFailures();
  EXPECT_TRUE(task.IsReady());
}

// --- 9. NumCpus is fixed under the TestScheduler. ---

TEST(ZedSemantics, NumCpusIsFixedUnderTheTestScheduler) {
  Executor by_default(TestScheduler::Create());
  EXPECT_EQ(by_default.NumCpus(), 4);
  Executor configured(TestScheduler::Create({.num_cpus = 7}));
  EXPECT_EQ(configured.NumCpus(), 7);
  EXPECT_EQ(configured.scheduler()->context().NumCpus(), 7);
  Executor machine(TestScheduler::Create({.num_cpus = 0}));
  EXPECT_EQ(machine.NumCpus(), NumCpus());
}

SCHEDULER_TEST_WITH(ZedSemantics, NumCpusOptionReachesTheScheduler, .num_cpus = 3) {
  EXPECT_EQ(Executor(scheduler).NumCpus(), 3);
}

// --- 13. Main-thread checks. ---

TEST(ZedSemanticsDeathTest, AssertMainThreadInABackgroundStepNamesBothSites) {
  const int created_line = __LINE__ + 1;  // EXPECT_DEATH's statement is all on its line
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        Executor executor(scheduler);
        scheduler->AssertMainThread();  // fine here
        Task<void> t = executor.Spawn([s = scheduler]() -> Future<void> {
          s->AssertMainThread();
          co_return;
        });
        scheduler->RunUntilParked();
      },
      "AssertMainThread failed at .*zed_semantics_test.cc:[0-9]+.*inside background task#1.*the "
      "thread that created the TestScheduler at .*zed_semantics_test.cc:" +
          std::to_string(created_line));
}

TEST(ZedSemanticsDeathTest, AssertMainThreadOnAnotherThread) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        std::thread([&scheduler] { scheduler->AssertMainThread(); }).join();
      },
      "AssertMainThread failed at .*: called on another thread");
}

TEST(ZedSemanticsDeathTest, ForegroundExecutorOffTheMainThreadNamesBothSites) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        std::thread([&scheduler] { ForegroundExecutor wrong(scheduler); }).join();
      },
      "ForegroundExecutor created at .*zed_semantics_test.cc:[0-9]+.* on a thread that is not its "
      "scheduler's main thread \\(that is the thread that created the TestScheduler at "
      ".*zed_semantics_test.cc");
}

// --- 7. FIFO mode. ---

// Background tasks and two sessions, each task yielding once; then timers.
std::vector<int> FifoRun(const std::shared_ptr<TestScheduler>& scheduler) {
  Executor background(scheduler);
  ForegroundExecutor a(scheduler);
  ForegroundExecutor b(scheduler);
  std::vector<int> log;
  auto twice = [&log](int id) -> Future<void> {
    log.push_back(id);
    co_await Yield();
    log.push_back(id + 100);
  };
  std::vector<Task<void>> tasks;
  tasks.push_back(background.Spawn(twice(1)));
  tasks.push_back(a.Spawn(twice(2)));
  tasks.push_back(background.Spawn(twice(3)));
  tasks.push_back(b.Spawn(twice(4)));
  tasks.push_back(a.Spawn(twice(5)));
  scheduler->RunUntilParked();
  tasks.push_back(background.Spawn(LogAfter(background, 30, &log)));
  tasks.push_back(background.Spawn(LogAfter(background, 10, &log)));
  scheduler->AdvanceClock(milliseconds(50));
  return log;
}

TEST(ZedSemantics, FifoModeRunsInTheSameOrderForEverySeed) {
  std::optional<uint64_t> first_hash;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    auto scheduler = TestScheduler::Create({.seed = seed, .randomize_order = false});
    // The order each became runnable; session a's second task waits behind
    // its first (FIFO per session), and timers fire in deadline order.
    EXPECT_THAT(FifoRun(scheduler), ElementsAre(1, 2, 3, 4, 5, 101, 102, 103, 104, 105, 10, 30));
    if (!first_hash) first_hash = scheduler->trace_hash();
    EXPECT_EQ(scheduler->trace_hash(), *first_hash) << "the same run for every seed";
  }
}

SCHEDULER_TEST_WITH(ZedSemantics, FifoModeFromTheHarness, .iterations = 20,
                    .randomize_order = false) {
  EXPECT_THAT(FifoRun(scheduler), ElementsAre(1, 2, 3, 4, 5, 101, 102, 103, 104, 105, 10, 30));
}

// The blocking session's tasks still wait in FIFO mode; others run in order.
TEST(ZedSemantics, FifoModeKeepsTheBlockingSessionsTasksQueued) {
  auto scheduler = TestScheduler::Create({.randomize_order = false});
  ForegroundExecutor mine(scheduler);
  Executor background(scheduler);
  std::vector<int> log;
  auto note = [&log](int id) -> Future<void> {
    log.push_back(id);
    co_return;
  };
  Task<void> m = mine.Spawn(note(1));
  Task<void> b = background.Spawn(note(2));
  mine.Block(background.Spawn(note(3)));
  EXPECT_THAT(log, ElementsAre(2, 3));
  scheduler->RunUntilParked();
  EXPECT_THAT(log, ElementsAre(2, 3, 1));
}

// --- 8. Harness bodies with values (Zed's once / many). ---

TEST(ZedSemantics, SchedulerManyReturnsEachSeedsValue) {
  int runs = 0;  // captured state
  std::vector<SeedValue<std::string>> values =
      SchedulerMany(12,
                    [&runs](const std::shared_ptr<TestScheduler>& scheduler) {
                      ++runs;
                      Executor executor(scheduler);
                      Task<std::string> t = executor.Spawn([]() -> Future<std::string> {
                        co_await Yield();
                        co_return "done";
                      });
                      return absl::StrCat(executor.Block(std::move(t)), "@", scheduler->seed());
                    },
                    {.seed = 100});
  if (std::getenv("SEED") == nullptr && std::getenv("ITERATIONS") == nullptr) {
    ASSERT_EQ(values.size(), 12u);
    EXPECT_EQ(runs, 12);
  }
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(values[i].value, absl::StrCat("done@", values[i].seed));
    if (i > 0) {
      EXPECT_GT(values[i].seed, values[i - 1].seed);
    }
  }
}

TEST(ZedSemantics, SchedulerOnceReturnsTheValue) {
  std::vector<int> seen;
  std::optional<int> sum = SchedulerOnce([&seen](const std::shared_ptr<TestScheduler>& scheduler) {
    Executor executor(scheduler);
    Task<int> a = executor.Spawn([]() -> Future<int> { co_return 20; });
    Task<int> b = executor.Spawn([]() -> Future<int> { co_return 22; });
    seen.push_back(1);
    return executor.Block(std::move(a)) + executor.Block(std::move(b));
  });
  ASSERT_TRUE(sum.has_value());
  EXPECT_EQ(*sum, 42);
  EXPECT_FALSE(seen.empty());
}

// A failing seed is reported as usual and leaves no value; the run stops.
TEST(ZedSemantics, SchedulerManyStopsAtTheFirstFailingSeed) {
  if (std::getenv("SEED") != nullptr || std::getenv("ITERATIONS") != nullptr) GTEST_SKIP();
  std::vector<SeedValue<int>> values;
  EXPECT_NONFATAL_FAILURE(
      values = SchedulerMany(10,
                             [](const std::shared_ptr<TestScheduler>& scheduler) {
                               EXPECT_NE(scheduler->seed(), 3u) << "planted failure";
                               return static_cast<int>(scheduler->seed());
                             },
                             {.shrink_runs = 0}),
      "planted failure");
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values.back().value, 2);
}

}  // namespace
}  // namespace scheduler
