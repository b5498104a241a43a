// What misuse and edge-case inputs get: each case has a defined result or a
// fatal error that names the call site, never a hang or a silent loss.
// docs/MISUSE.md lists the table these tests back.
#include <chrono>
#include <memory>
#include <string>
#include <type_traits>

#include "executor/executor.h"
#include "gtest/gtest.h"
#include "scheduler/block.h"
#include "scheduler/spawn.h"
#include "scheduler/tests/simple_thread_pool.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

using std::chrono::milliseconds;

// A delay <= 0 is due now: the Task is ready on return, with no step run.
TEST(MisuseTest, NegativeOrZeroDelayGivesAReadyTimer) {
  auto scheduler = TestScheduler::Create();
  for (Duration delay : {Duration(milliseconds(-5)), Duration::zero(), Duration::min()}) {
    Task<void> timer = Timer(scheduler, delay);
    EXPECT_TRUE(timer.IsReady());
  }
  EXPECT_EQ(scheduler->timer_count(), 0u);
  EXPECT_EQ(scheduler->runnable_count(), 0u);
  EXPECT_EQ(scheduler->steps(), 0u);
}

// TaskLabel::New() is the only public way to make a label, so none is zero.
static_assert(!std::is_default_constructible_v<TaskLabel>);
static_assert(!std::is_constructible_v<TaskLabel, uint64_t>);
static_assert(std::is_copy_constructible_v<TaskLabel>);
TEST(MisuseTest, LabelsAreNeverZero) {
  for (int i = 0; i < 100; ++i) EXPECT_NE(TaskLabel::New().value(), 0u);
}

TEST(MisuseTest, MaxDurationNeverFiresAndNeverOverflows) {
  auto scheduler = TestScheduler::Create();
  const Instant start = scheduler->Now();
  Task<void> never = Timer(scheduler, Duration::max());
  Task<void> soon = Timer(scheduler, milliseconds(1));
  scheduler->AdvanceClock(std::chrono::hours(24 * 365 * 100));
  EXPECT_TRUE(soon.IsReady());
  EXPECT_FALSE(never.IsReady());
  EXPECT_GT(scheduler->Now(), start);
  // Advancing by the maximum twice saturates at Instant::max() instead of
  // wrapping around into the past; only then does the "never" timer fire.
  scheduler->AdvanceClock(Duration::max());
  scheduler->AdvanceClock(Duration::max());
  EXPECT_EQ(scheduler->Now(), Instant::max());
  EXPECT_TRUE(never.IsReady()) << "a deadline of Instant::max() is reached only at the end of time";
}

TEST(MisuseTest, NegativeAdvanceIsIgnored) {
  auto scheduler = TestScheduler::Create();
  const Instant start = scheduler->Now();
  scheduler->AdvanceClock(-milliseconds(10));
  EXPECT_EQ(scheduler->Now(), start) << "the clock never goes backwards";
}

TEST(MisuseTest, SaturatingAddClampsBothWays) {
  EXPECT_EQ(SaturatingAdd(Instant::max(), milliseconds(1)), Instant::max());
  EXPECT_EQ(SaturatingAdd(Instant::min(), -milliseconds(1)), Instant::min());
  EXPECT_EQ(SaturatingAdd(Instant(), milliseconds(1)), Instant() + milliseconds(1));
}

TEST(MisuseTest, SchedulingAfterShutdownCancelsAtOnce) {
  auto scheduler = TestScheduler::Create();
  scheduler->Shutdown();
  Task<int> task = Spawn(scheduler, []() -> Future<int> { co_return 1; });
  Task<void> timer = Timer(scheduler, milliseconds(1));
  EXPECT_TRUE((task.IsReady() || task.IsCancelled()));
  EXPECT_TRUE((timer.IsReady() || timer.IsCancelled()));
  EXPECT_THROW(task.TakeResult("test"), TaskCancelledError);
}

using MisuseDeathTest = ::testing::Test;
// Death-test patterns use \w, not [0-9]: GoogleTest on Windows (the mingw build) matches
// with its simple regex, which has no bracket expressions; glibc's regex knows \w too.

TEST(MisuseDeathTest, BlockInsideATaskNamesBothSites) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        auto s = scheduler;
        Task<void> t = Spawn(s, [s]() -> Future<void> {
          Block(s, []() -> Future<int> { co_return 1; });
          co_return;
        });
        scheduler->RunUntilParked();
      },
      "Block called at .*misuse_test.cc:\\w+.* from inside task#\\w+ spawned at "
      ".*misuse_test.cc");
}

// The messages name the line of the co_await (docs/MISUSE.md). The
// coroutines live outside EXPECT_DEATH, whose statement is all one line.
Future<void> AwaitEmpty() {
  Task<int> empty;
  co_await std::move(empty);
}
constexpr int kAwaitEmptyLine = __LINE__ - 2;

Future<void> AwaitMovedFrom(std::shared_ptr<Scheduler> s) {
  Task<int> t = Spawn(s, []() -> Future<int> { co_return 1; });
  Task<int> elsewhere = std::move(t);
  co_await t;  // NOLINT(bugprone-use-after-move): the misuse under test
  co_await std::move(elsewhere);
}
constexpr int kAwaitMovedFromLine = __LINE__ - 3;

Future<void> AwaitTwice(std::shared_ptr<Scheduler> s) {
  Task<int> t = Spawn(s, []() -> Future<int> { co_return 1; });
  co_await t;
  co_await t;
}
constexpr int kAwaitTwiceLine = __LINE__ - 2;

TEST(MisuseDeathTest, AwaitingAnEmptyTask) {
  EXPECT_DEATH(Block(TestScheduler::Create(), AwaitEmpty()),
               "co_await Task on an empty Task at scheduler/tests/misuse_test.cc:" +
                   std::to_string(kAwaitEmptyLine));
}

TEST(MisuseDeathTest, AwaitingAMovedFromTask) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        Block(scheduler, AwaitMovedFrom(scheduler));
      },
      "co_await Task on an empty Task at scheduler/tests/misuse_test.cc:" +
          std::to_string(kAwaitMovedFromLine) + ".*moved from");
}

TEST(MisuseDeathTest, AwaitingATaskTwice) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        Block(scheduler, AwaitTwice(scheduler));
      },
      "co_await Task at scheduler/tests/misuse_test.cc:" + std::to_string(kAwaitTwiceLine) +
          ".*was already taken \\(a Task can be awaited once\\)");
}

TEST(MisuseDeathTest, AwaitingAFutureTwice) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        Block(scheduler, []() -> Future<void> {
          Future<int> f = []() -> Future<int> { co_return 1; }();
          co_await f;
          co_await f;
        });
      },
      "co_await on a Future that was already awaited");
}

TEST(MisuseDeathTest, ForegroundWorkOnASchedulerWithoutAMainThread) {
  EXPECT_DEATH(
      {
        auto pool = SimpleThreadPool::Create(1);
        Task<void> t = SpawnForeground(pool, SessionId::New(), []() -> Future<void> { co_return; });
      },
      "has no main thread, but foreground task#\\w+ spawned at .*misuse_test.cc");
}

TEST(MisuseDeathTest, DetachingAnEmptyTask) {
  EXPECT_DEATH(
      {
        Task<int> empty;
        empty.Detach();
      },
      "Task::Detach\\(\\) on an empty Task");
}

TEST(MisuseDeathTest, SpawningAnEmptyFuture) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        Future<int> empty;
        Task<int> t = Spawn(scheduler, std::move(empty));
      },
      "Spawn of an empty Future: task#\\w+ spawned at .*misuse_test.cc");
}

}  // namespace
}  // namespace scheduler
