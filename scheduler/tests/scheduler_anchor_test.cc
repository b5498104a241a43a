// Tasks reach their scheduler through its anchor (scheduler_anchor.h): a
// Waker that outlives the scheduler finds it gone and cancels its task, and
// every anchor is freed once its scheduler, its tasks and the threads that
// cached references to it are gone.
#include "scheduler/internal/scheduler_anchor.h"

#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "gtest/gtest.h"
#include "scheduler/oneshot.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"
#include "scheduler/tests/simple_thread_pool.h"

namespace scheduler {
namespace {

using internal::SchedulerAnchor;

// Runs `body` on a thread of its own and joins it, so the references that
// thread cached are given back (at its exit) before the test looks.
template <typename F>
void OnFreshThread(F body) {
  std::thread(std::move(body)).join();
}

TEST(SchedulerAnchorTest, AWakeAfterTheSchedulerIsGoneCancelsTheTask) {
  const int64_t before = SchedulerAnchor::LiveForTesting();
  OnFreshThread([] {
    auto pool = SimpleThreadPool::Create(/*threads=*/0);
    auto [sender, receiver] = MakeOneshot<int>();
    std::atomic<bool> resumed{false};
    Task<void> task = Spawn(pool, [&resumed, r = std::move(receiver)]() mutable -> Future<void> {
      (void)co_await std::move(r);
      resumed = true;
    });
    // First step: the task suspends on the receiver (idle, not queued).
    pool->TakeForTest().Run();
    pool.reset();
    // The wake-up finds no scheduler: the Runnable it makes is dropped, which
    // cancels the task instead of resuming it.
    EXPECT_TRUE(std::move(sender).Send(7).ok());
    EXPECT_TRUE((task.IsReady() || task.IsCancelled()));
    EXPECT_FALSE(task.IsReady());
    EXPECT_FALSE(resumed.load());
  });
  EXPECT_EQ(SchedulerAnchor::LiveForTesting(), before);
}

TEST(SchedulerAnchorTest, EveryAnchorIsFreedOnceSchedulersTasksAndThreadsAreGone) {
  const int64_t before = SchedulerAnchor::LiveForTesting();
  constexpr int kPools = 3;
  constexpr int kTasks = 3000;  // several credit batches per thread
  OnFreshThread([&] {
    std::vector<std::shared_ptr<SimpleThreadPool>> pools;
    for (int i = 0; i < kPools; ++i) pools.push_back(SimpleThreadPool::Create(/*threads=*/2));
    // Not std::latch: libstdc++'s atomic wait on targets without a futex
    // (mingw) was seen to lose the last wake-up under wine, about one run in
    // fifteen, hanging the test. absl::BlockingCounter waits on a Mutex.
    absl::BlockingCounter done(kTasks);
    std::vector<Task<void>> kept;
    for (int i = 0; i < kTasks; ++i) {
      // Alternating schedulers makes this thread move its credits from one
      // anchor to the next at every spawn; workers free the tasks.
      Task<void> t = Spawn(pools[i % kPools], [&done]() -> Future<void> {
        done.DecrementCount();
        co_return;
      });
      if (i % 2 == 0) {
        t.Detach();
      } else {
        kept.push_back(std::move(t));
      }
    }
    done.Wait();
    EXPECT_EQ(SchedulerAnchor::LiveForTesting(), before + kPools);
    pools.clear();  // joins the workers, which give their credits back
    kept.clear();
  });
  EXPECT_EQ(SchedulerAnchor::LiveForTesting(), before);
}

}  // namespace
}  // namespace scheduler
