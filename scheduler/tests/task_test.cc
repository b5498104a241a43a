// Spawning, awaiting, nesting, exceptions and detaching, driven by the
// deterministic TestScheduler.
#include "scheduler/task.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/block.h"
#include "scheduler/future.h"
#include "scheduler/spawn.h"
#include "scheduler/tests/simple_thread_pool.h"
#include "scheduler/unhandled_exception.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

Future<int> Constant(int v) { co_return v; }

Future<void> Append(std::vector<std::string>* log, std::string entry) {
  log->push_back(std::move(entry));
  co_return;
}

// Awaits itself `depth` levels deep, yielding at every level.
Future<int> Nested(int depth) {
  if (depth == 0) co_return 0;
  co_await Yield();
  const int below = co_await Nested(depth - 1);
  co_return below + 1;
}

Future<int> Throws(std::string message) {
  co_await Yield();
  throw std::runtime_error(message);
}

class TaskTest : public ::testing::Test {
 protected:
  std::shared_ptr<TestScheduler> scheduler_ = TestScheduler::Create({.seed = 7});
};

TEST_F(TaskTest, FutureIsLazyUntilSpawned) {
  bool ran = false;
  auto body = [&]() -> Future<void> {
    ran = true;
    co_return;
  };
  Future<void> future = body();
  EXPECT_FALSE(ran);
  Task<void> task = Spawn(scheduler_, std::move(future));
  EXPECT_FALSE(ran) << "spawning schedules; only the scheduler runs the task";
  scheduler_->RunUntilParked();
  EXPECT_TRUE(ran);
  EXPECT_TRUE(task.IsReady());
}

TEST_F(TaskTest, SpawnAndAwaitValue) {
  Task<int> task = Spawn(scheduler_, Constant(42));
  EXPECT_FALSE(task.IsReady());
  EXPECT_EQ(Block(scheduler_, std::move(task)), 42);
}

TEST_F(TaskTest, SpawnAndAwaitVoid) {
  std::vector<std::string> log;
  Task<void> task = Spawn(scheduler_, Append(&log, "ran"));
  Block(scheduler_, std::move(task));
  EXPECT_THAT(log, ::testing::ElementsAre("ran"));
}

TEST_F(TaskTest, LambdaCapturesLiveAsLongAsTheTask) {
  auto text = std::make_unique<std::string>("captured");
  Task<size_t> task = Spawn(scheduler_, [owned = std::move(text)]() -> Future<size_t> {
    co_await Yield();
    co_return owned->size();
  });
  EXPECT_EQ(Block(scheduler_, std::move(task)), 8u);
}

TEST_F(TaskTest, NestedAwaitsManyLevelsDeep) { EXPECT_EQ(Block(scheduler_, Nested(50)), 50); }

TEST_F(TaskTest, TaskAwaitsTask) {
  auto s = scheduler_;
  Task<int> outer = Spawn(s, [s]() -> Future<int> {
    Task<int> inner = Spawn(s, Nested(3));
    Task<int> other = Spawn(s, Constant(10));
    const int a = co_await std::move(inner);
    const int b = co_await other;
    co_return a + b;
  });
  EXPECT_EQ(Block(scheduler_, std::move(outer)), 13);
}

TEST_F(TaskTest, ExceptionPropagatesThroughAwait) {
  auto s = scheduler_;
  Task<std::string> task = Spawn(s, [s]() -> Future<std::string> {
    try {
      co_await Spawn(s, Throws("boom"));
    } catch (const std::runtime_error& e) {
      co_return std::string("caught ") + e.what();
    }
    co_return "not thrown";
  });
  EXPECT_EQ(Block(scheduler_, std::move(task)), "caught boom");
}

TEST_F(TaskTest, ExceptionPropagatesThroughNestedFutures) {
  auto wrapper = []() -> Future<int> { co_return co_await Throws("deep"); };
  EXPECT_THROW(Block(scheduler_, wrapper()), std::runtime_error);
}

TEST_F(TaskTest, DetachedTaskRunsToCompletion) {
  int done = 0;
  Spawn(scheduler_, [&]() -> Future<void> {
    co_await Yield();
    ++done;
  }).Detach();
  scheduler_->RunUntilParked();
  EXPECT_EQ(done, 1);
  EXPECT_TRUE(scheduler_->PendingTasks().empty());
}

TEST_F(TaskTest, DetachedExceptionGoesToTheSchedulersFailureHandler) {
  std::string report;
  auto scheduler = TestScheduler::Create({.seed = 3, .on_failure = [&](const std::string& r) {
                                            report = r;
                                            throw std::logic_error("stop");
                                          }});
  Spawn(scheduler, Throws("detached boom")).Detach();
  EXPECT_THROW(scheduler->RunUntilParked(), std::logic_error);
  EXPECT_THAT(report, ::testing::HasSubstr("detached boom"));
  EXPECT_THAT(report, ::testing::HasSubstr("task_test.cc"));
  EXPECT_THAT(report, ::testing::HasSubstr("seed: 3"));
}

TEST_F(TaskTest, DetachAfterFailureStillReports) {
  std::string report;
  auto scheduler = TestScheduler::Create({.on_failure = [&](const std::string& r) {
    report = r;
    throw std::logic_error("stop");
  }});
  Task<int> task = Spawn(scheduler, Throws("late detach"));
  scheduler->RunUntilParked();
  ASSERT_TRUE(task.IsReady());
  // Detaching outside a step reports right away through the default path of
  // the scheduler (deferred to the next step boundary); run one to flush.
  task.Detach();
  Spawn(scheduler, Constant(1)).Detach();
  EXPECT_THROW(scheduler->RunUntilParked(), std::logic_error);
  EXPECT_THAT(report, ::testing::HasSubstr("late detach"));
}

// A handler that throws out of a step (as test handlers may) must still leave
// the task finished and freed: ASan reports a leak otherwise.
TEST_F(TaskTest, ThrowingUnhandledExceptionHandlerLeavesTheTaskFinished) {
  UnhandledExceptionHandler previous = SetUnhandledExceptionHandler(
      [](const TaskMetadata&, std::exception_ptr) { throw std::logic_error("handler threw"); });
  auto pool = SimpleThreadPool::Create(0);  // no workers: the test runs the step itself
  Spawn(pool, Throws("boom")).Detach();
  // Throws() yields once first; run both of its steps by hand.
  for (int step = 0; step < 2; ++step) {
    Runnable runnable = pool->TakeForTest();
    ASSERT_TRUE(runnable);
    if (step == 0) {
      runnable.Run();
    } else {
      EXPECT_THROW(runnable.Run(), std::logic_error);
    }
  }
  SetUnhandledExceptionHandler(std::move(previous));
  EXPECT_FALSE(pool->TakeForTest()) << "nothing is left to run";
}

TEST_F(TaskTest, ReadyTask) {
  Task<int> ready = Task<int>::Ready(5);
  EXPECT_TRUE(ready.IsReady());
  EXPECT_EQ(Block(scheduler_, std::move(ready)), 5);
  Task<void> done = Task<void>::Ready();
  EXPECT_TRUE(done.IsReady());
}

TEST_F(TaskTest, TaskIdsAreUniqueAndNonZero) {
  Task<int> a = Spawn(scheduler_, Constant(1));
  Task<int> b = Spawn(scheduler_, Constant(2));
  EXPECT_NE(a.id(), TaskId());
  EXPECT_NE(a.id(), b.id());
}

TEST_F(TaskTest, ParentIsRecorded) {
  auto s = scheduler_;
  TaskId child_parent;
  Task<void> parent = Spawn(s, [s, &child_parent]() -> Future<void> {
    Task<int> child = Spawn(s, Constant(1));
    child_parent = *child.metadata().parent;
    co_await std::move(child);
  });
  const TaskId parent_id = parent.id();
  Block(scheduler_, std::move(parent));
  EXPECT_EQ(child_parent, parent_id);
}

TEST_F(TaskTest, BlockWithTimeoutHandsBackTheUnfinishedFuture) {
  auto scheduler = TestScheduler::Create({.block_on_ticks_min = 0, .block_on_ticks_max = 0});
  auto s = scheduler;
  int steps = 0;
  BlockResult<int> result = BlockWithTimeout(s, Duration(1), [s, &steps]() -> Future<int> {
    ++steps;
    co_await Timer(s, std::chrono::seconds(1));
    ++steps;
    co_return 9;
  });
  ASSERT_TRUE(result.timed_out());
  EXPECT_EQ(steps, 1) << "progress made before the timeout is kept";
  Future<int> rest = std::move(result).TakeUnfinished();
  Task<int> resumed = Spawn(scheduler, std::move(rest));
  scheduler->AdvanceClock(std::chrono::seconds(1));
  EXPECT_EQ(steps, 2);
  ASSERT_TRUE(resumed.IsReady());
  EXPECT_EQ(Block(scheduler, std::move(resumed)), 9);
}

TEST_F(TaskTest, BlockWithTimeoutReturnsValueWhenFast) {
  BlockResult<int> result = BlockWithTimeout(scheduler_, std::chrono::seconds(1), Constant(3));
  ASSERT_TRUE(result.finished());
  EXPECT_EQ(std::move(result).value(), 3);
}

}  // namespace
}  // namespace scheduler
