// ObservingScheduler: the added observer sees every task spawned through the
// wrapper (finished or cancelled), the inner scheduler's own observer keeps
// working, and everything else is forwarded.
#include "cloud_integration/observing_scheduler.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "executor/executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/future.h"
#include "scheduler/task.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"

namespace cloud {
namespace {

using ::scheduler::Executor;
using ::scheduler::Future;
using ::scheduler::Task;
using ::scheduler::TaskMetadata;
using ::scheduler::TestScheduler;
using ::testing::ElementsAre;

class RecordingObserver final : public scheduler::TaskObserver {
 public:
  void OnTaskSpawned(const TaskMetadata& task) override {
    absl::MutexLock lock(&mu_);
    events_.push_back("spawn#" + std::to_string(task.id.value()));
  }
  void OnTaskFinished(const TaskMetadata& task) override {
    absl::MutexLock lock(&mu_);
    events_.push_back("finish#" + std::to_string(task.id.value()));
  }
  std::vector<std::string> events() const {
    absl::MutexLock lock(&mu_);
    return events_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> events_;
};

TEST(ObservingSchedulerTest, SeesSpawnsAndFinishesAndKeepsTheInnerObserver) {
  auto inner = TestScheduler::Create({.seed = 3});
  auto observer = std::make_shared<RecordingObserver>();
  auto observed = std::make_shared<ObservingScheduler>(inner, observer);
  Executor executor(observed);
  Task<int> done = executor.Spawn([]() -> Future<int> {
    co_await scheduler::Yield();
    co_return 7;
  });
  Task<void> cancelled = executor.Spawn([]() -> Future<void> { co_await scheduler::Yield(); });
  EXPECT_TRUE(inner->IsTaskRunning(done.id())) << "the TestScheduler's registry is still told";
  cancelled = Task<void>();
  inner->RunUntilParked();
  EXPECT_TRUE(done.IsReady());
  EXPECT_FALSE(inner->IsTaskRunning(done.id()));
  EXPECT_THAT(observer->events(), ElementsAre("spawn#1", "spawn#2", "finish#2", "finish#1"));
  inner->Shutdown();
}

TEST(ObservingSchedulerTest, ForwardsEverythingElse) {
  auto inner = TestScheduler::Create({.seed = 3});
  auto observed =
      std::make_shared<ObservingScheduler>(inner, std::make_shared<RecordingObserver>());
  EXPECT_EQ(observed->GetTestControls(), inner->GetTestControls());
  EXPECT_EQ(observed->Now(), inner->Now());
  EXPECT_EQ(observed->IsMainThread(), inner->IsMainThread());
  const uint64_t through_wrapper = observed->NextTaskId().value();
  const uint64_t direct = inner->NextTaskId().value();
  EXPECT_EQ(through_wrapper + 1, direct) << "ids come from the inner scheduler's sequence";
  Executor executor(observed);
  Task<void> timer = executor.Timer(std::chrono::milliseconds(5));
  inner->AdvanceClock(std::chrono::milliseconds(4));
  EXPECT_FALSE(timer.IsReady());
  inner->AdvanceClock(std::chrono::milliseconds(1));
  EXPECT_TRUE(timer.IsReady()) << "ScheduleAfter reaches the inner scheduler's clock";
  EXPECT_EQ(executor.Tick(), std::optional<bool>(false)) << "test controls reach the inner one";
  inner->Shutdown();
}

TEST(ObservingSchedulerTest, WrappersStack) {
  auto inner = TestScheduler::Create({.seed = 3});
  auto first = std::make_shared<RecordingObserver>();
  auto second = std::make_shared<RecordingObserver>();
  auto outer = std::make_shared<ObservingScheduler>(
      std::make_shared<ObservingScheduler>(inner, first), second);
  Task<void> task = Executor(outer).Spawn([]() -> Future<void> { co_return; });
  inner->RunUntilParked();
  EXPECT_THAT(first->events(), ElementsAre("spawn#1", "finish#1"));
  EXPECT_THAT(second->events(), ElementsAre("spawn#1", "finish#1"));
  inner->Shutdown();
}

TEST(ObservingSchedulerDeathTest, NullArgumentsAreFatal) {
  EXPECT_DEATH(ObservingScheduler(nullptr, std::make_shared<RecordingObserver>()),
               "null scheduler");
  EXPECT_DEATH(ObservingScheduler(TestScheduler::Create(), nullptr), "null observer");
}

}  // namespace
}  // namespace cloud
