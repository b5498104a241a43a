// The shared timer heap (scheduler/internal/timer_heap.h): fire order
// (deadline, then arming order), TakeDue, and removal of a cancelled timer at
// once.
#include "scheduler/internal/timer_heap.h"

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "scheduler/real_time_context.h"
#include "scheduler/scheduler.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"

namespace scheduler {
namespace {

using std::chrono::milliseconds;

// Arms every timer in a heap at Instant() + delay and takes cancelled ones out
// as the dispatchers and the TestScheduler do. Single-threaded.
class HeapScheduler final : public Scheduler {
 public:
  HeapScheduler() : Scheduler(std::make_shared<RealTimeContext>(std::thread::id())) {}
  ~HeapScheduler() override {
    std::vector<Runnable> dropped;
    heap.DrainInto(dropped);
  }

  void Schedule(Runnable runnable) override { ran.push_back(std::move(runnable)); }
  void ScheduleAfter(Duration delay, Runnable runnable) override {
    heap.Push(Instant() + delay, std::move(runnable));
  }
  void ReclaimCancelledTimer(internal::TaskCoreBase* task) override {
    Runnable removed = heap.Remove(task);
    if (removed) ++reclaimed;
  }

  internal::TimerHeap heap;
  std::vector<Runnable> ran;
  int reclaimed = 0;
};

TEST(TimerHeapTest, PopsByDeadlineThenArmingOrder) {
  auto s = std::make_shared<HeapScheduler>();
  Task<void> t30 = Timer(s, milliseconds(30));
  Task<void> t10a = Timer(s, milliseconds(10));
  Task<void> t20 = Timer(s, milliseconds(20));
  Task<void> t10b = Timer(s, milliseconds(10));
  ASSERT_EQ(s->heap.size(), 4u);
  EXPECT_EQ(s->heap.earliest(), Instant() + milliseconds(10));

  std::vector<TaskId> order;
  std::vector<Instant> deadlines;
  while (!s->heap.empty()) {
    internal::TimerHeap::Fired fired = s->heap.Pop();
    deadlines.push_back(fired.deadline);
    order.push_back(fired.runnable.metadata().id);
    fired.runnable.Run();
  }
  EXPECT_EQ(order, (std::vector<TaskId>{t10a.id(), t10b.id(), t20.id(), t30.id()}));
  EXPECT_EQ(deadlines,
            (std::vector<Instant>{Instant() + milliseconds(10), Instant() + milliseconds(10),
                                  Instant() + milliseconds(20), Instant() + milliseconds(30)}));
  EXPECT_TRUE(t30.IsReady());
  EXPECT_EQ(s->heap.earliest(), Instant::max());
}

TEST(TimerHeapTest, TakeDueTakesWhatIsDueEarliestFirstAndLeavesTheRest) {
  auto s = std::make_shared<HeapScheduler>();
  Task<void> t20 = Timer(s, milliseconds(20));
  Task<void> t5 = Timer(s, milliseconds(5));
  Task<void> t40 = Timer(s, milliseconds(40));
  Task<void> t20b = Timer(s, milliseconds(20));
  std::vector<Runnable> due;
  s->heap.TakeDue(Instant() + milliseconds(20), due);
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].metadata().id, t5.id());
  EXPECT_EQ(due[1].metadata().id, t20.id());
  EXPECT_EQ(due[2].metadata().id, t20b.id());
  EXPECT_EQ(s->heap.size(), 1u);
  EXPECT_EQ(s->heap.earliest(), Instant() + milliseconds(40));
  for (Runnable& r : due) r.Run();
  EXPECT_TRUE(t20b.IsReady());
  EXPECT_FALSE(t40.IsReady());
}

TEST(TimerHeapTest, ACancelledTimerLeavesTheHeapAtOnce) {
  auto s = std::make_shared<HeapScheduler>();
  std::vector<Task<void>> tasks;
  for (int i = 1; i <= 100; ++i) tasks.push_back(Timer(s, milliseconds(i)));
  // Drop every other one, from the middle of the heap as well as its top.
  std::vector<TaskId> kept;
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (i % 2 == 0) {
      tasks[i] = Task<void>();
    } else {
      kept.push_back(tasks[i].id());
    }
  }
  EXPECT_EQ(s->reclaimed, 50);
  EXPECT_EQ(s->heap.size(), 50u);
  EXPECT_EQ(s->heap.earliest(), Instant() + milliseconds(2));
  std::vector<TaskId> order;
  while (!s->heap.empty()) order.push_back(s->heap.Pop().runnable.metadata().id);
  EXPECT_EQ(order, kept);  // the survivors still fire in deadline order
}

TEST(TimerHeapTest, RemoveOfATaskNotArmedHereIsEmpty) {
  auto s = std::make_shared<HeapScheduler>();
  Task<void> armed = Timer(s, milliseconds(1));
  internal::TimerHeap other;
  std::vector<Runnable> fired;
  s->heap.TakeDue(Instant() + milliseconds(1), fired);
  ASSERT_EQ(fired.size(), 1u);
  // Fired already: its slot is cleared, so neither heap takes it again.
  EXPECT_FALSE(s->heap.Remove(internal::RunnableAccess::Peek(fired[0])));
  EXPECT_FALSE(other.Remove(internal::RunnableAccess::Peek(fired[0])));
  fired[0].Run();
  EXPECT_TRUE(armed.IsReady());
}

TEST(TimerHeapTest, DrainIntoHandsBackEveryRunnableAndDroppingThemCancels) {
  auto s = std::make_shared<HeapScheduler>();
  Task<void> a = Timer(s, milliseconds(3));
  Task<void> b = Timer(s, milliseconds(1));
  std::vector<Runnable> drained;
  s->heap.DrainInto(drained);
  EXPECT_TRUE(s->heap.empty());
  EXPECT_EQ(drained.size(), 2u);
  drained.clear();
  EXPECT_TRUE(a.IsCancelled());
  EXPECT_TRUE(b.IsCancelled());
}

}  // namespace
}  // namespace scheduler
