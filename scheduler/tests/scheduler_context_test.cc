// A SchedulerContext is what schedulers sharing it have in common: clock,
// parking, main thread, task ids and the task observers. These tests pin the
// observer contract (any number, called in order, only for tasks spawned
// after they were added) and that a wrapping scheduler sharing the context
// needs no forwarding to be observed and to tell the time.
#include "scheduler/scheduler_context.h"

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "scheduler/real_time_context.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"
#include "scheduler/tests/simple_thread_pool.h"

namespace scheduler {
namespace {

// Appends "<name>:spawn:<id>" / "<name>:finish:<id>" to a shared log.
class LoggingObserver final : public TaskObserver {
 public:
  LoggingObserver(std::string name, std::shared_ptr<std::vector<std::string>> log,
                  std::shared_ptr<std::mutex> mu)
      : name_(std::move(name)), log_(std::move(log)), mu_(std::move(mu)) {}
  void OnTaskSpawned(const TaskMetadata& task) override { Append("spawn", task); }
  void OnTaskFinished(const TaskMetadata& task) override { Append("finish", task); }

 private:
  void Append(const char* what, const TaskMetadata& task) {
    std::lock_guard<std::mutex> lock(*mu_);
    log_->push_back(name_ + ":" + what + ":" + std::to_string(task.id.value()));
  }
  const std::string name_;
  const std::shared_ptr<std::vector<std::string>> log_;
  const std::shared_ptr<std::mutex> mu_;
};

struct Log {
  std::shared_ptr<std::vector<std::string>> entries = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<std::mutex> mu = std::make_shared<std::mutex>();
  std::shared_ptr<TaskObserver> Observer(std::string name) const {
    return std::make_shared<LoggingObserver>(std::move(name), entries, mu);
  }
};

Future<int> Answer() { co_return 42; }

// Runs every queued runnable of a thread-less pool on this thread.
void Drain(SimpleThreadPool& pool) {
  while (Runnable runnable = pool.TakeForTest()) runnable.Run();
}

TEST(SchedulerContextTest, ObserversAreToldInTheOrderTheyWereAdded) {
  auto pool = SimpleThreadPool::Create(/*threads=*/0);
  Log log;
  pool->AddTaskObserver(log.Observer("a"));
  pool->AddTaskObserver(log.Observer("b"));
  pool->AddTaskObserver(log.Observer("c"));
  Task<int> task = Spawn(pool, [] { return Answer(); });
  const std::string id = std::to_string(task.id().value());
  Drain(*pool);
  ASSERT_TRUE(task.IsReady());
  EXPECT_EQ(*log.entries,
            (std::vector<std::string>{"a:spawn:" + id, "b:spawn:" + id, "c:spawn:" + id,
                                      "a:finish:" + id, "b:finish:" + id, "c:finish:" + id}));
}

TEST(SchedulerContextTest, AnObserverAddedLaterIsNotToldAboutEarlierTasks) {
  auto pool = SimpleThreadPool::Create(/*threads=*/0);
  Log log;
  pool->AddTaskObserver(log.Observer("early"));
  Task<int> first = Spawn(pool, [] { return Answer(); });
  pool->AddTaskObserver(log.Observer("late"));
  Task<int> second = Spawn(pool, [] { return Answer(); });
  Drain(*pool);
  const std::string a = std::to_string(first.id().value());
  const std::string b = std::to_string(second.id().value());
  EXPECT_EQ(*log.entries, (std::vector<std::string>{"early:spawn:" + a, "early:spawn:" + b,
                                                    "late:spawn:" + b, "early:finish:" + a,
                                                    "early:finish:" + b, "late:finish:" + b}));
}

TEST(SchedulerContextTest, NoObserverMeansNoFanOut) {
  RealTimeContext context;
  EXPECT_EQ(context.task_observer(), nullptr);
  Log log;
  auto only = log.Observer("only");
  context.AddTaskObserver(only);
  // One observer is handed out as itself, not wrapped.
  EXPECT_EQ(context.task_observer(), only);
}

// A scheduler that only changes where Runnables go, like a GPUI scope or the
// driver behind Block: it shares the wrapped scheduler's context.
class Wrapper final : public Scheduler {
 public:
  explicit Wrapper(const std::shared_ptr<SimpleThreadPool>& inner)
      : Scheduler(inner->shared_context()), inner_(inner) {}
  void Schedule(Runnable runnable) override {
    ++forwarded;
    inner_->Schedule(std::move(runnable));
  }
  void ScheduleAfter(Duration delay, Runnable runnable) override {
    inner_->ScheduleAfter(delay, std::move(runnable));
  }
  int forwarded = 0;

 private:
  const std::shared_ptr<SimpleThreadPool> inner_;
};

TEST(SchedulerContextTest, AWrapperSharingTheContextIsObservedWithoutForwarding) {
  auto pool = SimpleThreadPool::Create(/*threads=*/0);
  Log log;
  pool->AddTaskObserver(log.Observer("pool"));
  auto wrapper = std::make_shared<Wrapper>(pool);
  EXPECT_EQ(&wrapper->context(), &pool->context());
  Task<int> task = Spawn(wrapper, [] { return Answer(); });
  Drain(*pool);
  ASSERT_TRUE(task.IsReady());
  EXPECT_EQ(wrapper->forwarded, 1);
  const std::string id = std::to_string(task.id().value());
  EXPECT_EQ(*log.entries, (std::vector<std::string>{"pool:spawn:" + id, "pool:finish:" + id}));
}

TEST(RealTimeContextTest, TheCreatingThreadIsTheMainThreadUnlessToldOtherwise) {
  RealTimeContext context;
  EXPECT_TRUE(context.IsMainThread());
  bool elsewhere = true;
  std::thread([&] { elsewhere = context.IsMainThread(); }).join();
  EXPECT_FALSE(elsewhere);

  RealTimeContext no_main_thread{std::thread::id()};
  EXPECT_FALSE(no_main_thread.IsMainThread());
}

TEST(RealTimeContextTest, TaskIdsAreUnique) {
  RealTimeContext first;
  RealTimeContext second;
  const TaskId a = first.NextTaskId();
  const TaskId b = second.NextTaskId();
  const TaskId c = first.NextTaskId();
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(b, c);
}

}  // namespace
}  // namespace scheduler
