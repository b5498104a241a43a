// Task<T>::Fallible(): cancellation as an empty result instead of a
// TaskCancelledError (Zed's FallibleTask).
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "absl/status/status.h"
#include "executor/executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

TEST(FallibleTest, ACompletedTaskGivesItsValue) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    Executor ex(scheduler);
    Task<int> task = ex.Spawn([]() -> Future<int> {
      co_await Yield();
      co_return 42;
    });
    std::optional<int> result = ex.Block(std::move(task).Fallible());
    ASSERT_TRUE(result.has_value()) << "seed " << seed;
    EXPECT_EQ(*result, 42);
  }
}

TEST(FallibleTest, AVoidTaskGivesOk) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  bool ran = false;
  Task<void> task = ex.Spawn([&]() -> Future<void> {
    ran = true;
    co_return;
  });
  EXPECT_TRUE(ex.Block(std::move(task).Fallible()).ok());
  EXPECT_TRUE(ran);
}

// The task is cancelled before anyone awaits it (its scheduler shut down).
TEST(FallibleTest, AnAlreadyCancelledTaskGivesNothingInsteadOfThrowing) {
  auto dead = TestScheduler::Create();
  Task<int> orphan = Spawn(dead, []() -> Future<int> { co_return 1; });
  dead->Shutdown();
  ASSERT_TRUE((orphan.IsReady() || orphan.IsCancelled()));

  auto live = TestScheduler::Create();
  Executor ex(live);
  std::optional<int> result = ex.Block(std::move(orphan).Fallible());
  EXPECT_FALSE(result.has_value());
}

// The awaiter is registered first, then the task is cancelled under it.
TEST(FallibleTest, ATaskCancelledWhileAwaitedGivesNothing) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    auto dead = TestScheduler::Create({.seed = seed});
    Task<int> sleeper = Spawn(dead, [dead]() -> Future<int> {
      co_await Timer(dead, std::chrono::hours(1));
      co_return 1;
    });
    dead->RunUntilParked();  // now waiting on its timer

    auto live = TestScheduler::Create({.seed = seed});
    Executor ex(live);
    std::optional<std::optional<int>> seen;
    Task<void> awaiter = ex.Spawn([&seen, sleeper = std::move(sleeper)]() mutable -> Future<void> {
      seen = co_await std::move(sleeper).Fallible();
    });
    live->RunUntilParked();
    ASSERT_FALSE(seen.has_value()) << "still waiting";
    dead->Shutdown();  // cancels the sleeper; the awaiter is woken through `live`
    live->RunUntilParked();
    ASSERT_TRUE(seen.has_value()) << "seed " << seed;
    EXPECT_FALSE(seen->has_value());
    EXPECT_TRUE(awaiter.IsReady());
  }
}

TEST(FallibleTest, ACancelledVoidTaskGivesCancelledErrorNamingTheTask) {
  auto dead = TestScheduler::Create();
  Task<void> orphan = Spawn(dead, []() -> Future<void> { co_return; });
  dead->Shutdown();
  auto live = TestScheduler::Create();
  absl::Status status = Executor(live).Block(std::move(orphan).Fallible());
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled);
  EXPECT_THAT(status.message(), HasSubstr("fallible_test.cc"));
  EXPECT_THAT(status.message(), HasSubstr("cancelled before it finished"));
}

TEST(FallibleTest, TheTasksOwnExceptionStillPropagates) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  Task<int> failing = ex.Spawn([]() -> Future<int> {
    throw std::logic_error("boom");
    co_return 0;
  });
  EXPECT_THROW(ex.Block(std::move(failing).Fallible()), std::logic_error);
  // Even a TaskCancelledError the task itself lets escape is the task's
  // result, not a cancellation of the task.
  auto dead = TestScheduler::Create();
  Task<int> orphan = Spawn(dead, []() -> Future<int> { co_return 1; });
  dead->Shutdown();
  Task<int> rethrower = ex.Spawn([orphan = std::move(orphan)]() mutable -> Future<int> {
    co_return co_await std::move(orphan);
  });
  EXPECT_THROW(ex.Block(std::move(rethrower).Fallible()), TaskCancelledError);
}

TEST(FallibleTest, DroppingTheFallibleFutureCancelsTheTask) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  Task<int> task = ex.Spawn([]() -> Future<int> { co_return 1; });
  TaskId id = task.id();
  {
    Future<std::optional<int>> fallible = std::move(task).Fallible();
    EXPECT_TRUE(scheduler->IsTaskRunning(id));
  }
  EXPECT_FALSE(scheduler->IsTaskRunning(id));
}

TEST(FallibleDeathTest, FallibleOnAnEmptyTaskNamesTheCallSite) {
  EXPECT_DEATH(
      {
        Task<int> empty;
        Future<std::optional<int>> f = std::move(empty).Fallible();
      },
      "Task::Fallible\\(\\) on an empty Task, called at .*fallible_test.cc");
}

}  // namespace
}  // namespace scheduler
