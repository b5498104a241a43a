// Stale wake-ups and checked transitions (task_core.h, STALE WAKE-UPS and
// CHECKED TRANSITIONS): a Waker resumes its task only at the suspension it
// was made for, and violations of the task protocol are fatal in debug.
#include <memory>
#include <optional>

#include "gtest/gtest.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/spawn.h"
#include "scheduler/waker.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

// Suspends, handing its Waker to the test.
struct CaptureWaker {
  using IsSchedulerAwaitable = void;
  Waker* out;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const { *out = internal::SuspendCurrentTask(h); }
  void await_resume() const noexcept {}
};

// Hands its Waker to the test but does not suspend (as an awaitable that
// registered somewhere, then found itself ready, would).
struct CaptureWakerButStayReady {
  using IsSchedulerAwaitable = void;
  Waker* out;
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) const {
    *out = internal::SuspendCurrentTask(h);
    return false;
  }
  void await_resume() const noexcept {}
};

TEST(WakeEpochTest, AWakerOfAnEarlierSuspensionDoesNotResumeALaterOne) {
  auto scheduler = TestScheduler::Create();
  Waker first, second;
  int stage = 0;
  Task<void> task = Spawn(scheduler, [&]() -> Future<void> {
    co_await CaptureWaker{&first};
    stage = 1;
    co_await CaptureWaker{&second};
    stage = 2;
  });
  scheduler->RunUntilParked();
  ASSERT_EQ(stage, 0);
  first.Wake();
  scheduler->RunUntilParked();
  ASSERT_EQ(stage, 1);
  first.Wake();  // stale: the task now waits for `second`
  scheduler->RunUntilParked();
  EXPECT_EQ(stage, 1) << "a stale wake-up resumed the task early";
  EXPECT_FALSE(task.IsReady());
  second.Wake();
  second.Wake();  // a second wake-up of the same suspension is coalesced
  scheduler->RunUntilParked();
  EXPECT_EQ(stage, 2);
  EXPECT_TRUE(task.IsReady());
}

TEST(WakeEpochTest, AWakerOfAnAwaitThatDidNotSuspendIsStaleWithinTheSameStep) {
  auto scheduler = TestScheduler::Create();
  Waker leaked, real;
  int stage = 0;
  Task<void> task = Spawn(scheduler, [&]() -> Future<void> {
    co_await CaptureWakerButStayReady{&leaked};
    co_await CaptureWaker{&real};  // same step: no step boundary in between
    stage = 1;
  });
  scheduler->RunUntilParked();
  leaked.Wake();
  scheduler->RunUntilParked();
  EXPECT_EQ(stage, 0) << "the Waker of an await that never suspended resumed the next one";
  real.Wake();
  scheduler->RunUntilParked();
  EXPECT_EQ(stage, 1);
}

TEST(WakeEpochTest, CopiesShareTheirSuspensionAndTheFirstWakeWins) {
  auto scheduler = TestScheduler::Create();
  Waker original;
  int resumed = 0;
  Task<void> task = Spawn(scheduler, [&]() -> Future<void> {
    co_await CaptureWaker{&original};
    ++resumed;
    Waker ignored;
    co_await CaptureWaker{&ignored};
    ++resumed;
  });
  scheduler->RunUntilParked();
  Waker a = original, b = original;
  a.Wake();
  scheduler->RunUntilParked();
  b.Wake();  // a copy for the same, finished suspension
  scheduler->RunUntilParked();
  EXPECT_EQ(resumed, 1);
}

#ifndef NDEBUG
TEST(WakeEpochDeathTest, TwoTasksAwaitingOneTaskAtOnceIsFatal) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        Waker never;
        Task<void> awaited =
            Spawn(scheduler, [&]() -> Future<void> { co_await CaptureWaker{&never}; });
        Task<void> first = Spawn(scheduler, [&]() -> Future<void> { co_await awaited; });
        scheduler->RunUntilParked();
        Task<void> second = Spawn(scheduler, [&]() -> Future<void> { co_await awaited; });
        scheduler->RunUntilParked();
      },
      "task protocol violated: a second task awaits it while the first still does for task#1");
}
#endif

}  // namespace
}  // namespace scheduler
