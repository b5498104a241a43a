// The Linux worker pool's priority rule (PRIORITIES in
// platforms/linux/internal/worker_pool.cc), checked on a one-worker pool so
// that the order of picks is the pool's rule and nothing else: high-priority
// work goes first, but never more than kMaxHighStreak (4) picks in a row
// while other work waits; low-priority work is not starved by a backlog of
// medium work.
#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "executor/executor.h"
#include "gtest/gtest.h"
#include "platforms/platform_dispatcher.h"
#include "scheduler/future.h"
#include "scheduler/task.h"

namespace scheduler {
namespace {

constexpr int kMaxHighStreak = 4;
constexpr int kLowInterval = 16;

// One worker, held inside a step by a gate until every task is queued; then
// the order in which the tasks run is recorded.
class OneWorkerPool {
 public:
  OneWorkerPool() : dispatcher_(CreatePlatformDispatcher({.worker_threads = 1})), ex_(dispatcher_) {
    gate_ = ex_.Spawn([this]() -> Future<void> {
      started_.Notify();
      release_.WaitForNotification();  // real synchronization: the worker is busy until released
      co_return;
    });
    started_.WaitForNotification();
  }
  ~OneWorkerPool() { dispatcher_->Shutdown(); }

  void Add(Priority priority, char tag) {
    tasks_.push_back(ex_.SpawnWithPriority(priority, [this, tag]() -> Future<void> {
      absl::MutexLock lock(&mu_);
      order_.push_back(tag);
      co_return;
    }));
  }

  // Releases the worker and returns the order in which the tasks ran.
  std::string Run() {
    release_.Notify();
    ex_.Block(std::move(gate_));
    for (Task<void>& task : tasks_) ex_.Block(std::move(task));
    absl::MutexLock lock(&mu_);
    return order_;
  }

 private:
  std::shared_ptr<PlatformDispatcher> dispatcher_;
  Executor ex_;
  absl::Notification started_, release_;
  Task<void> gate_;
  std::vector<Task<void>> tasks_;
  absl::Mutex mu_;
  std::string order_;
};

int LongestRun(const std::string& order, char tag) {
  int longest = 0, run = 0;
  for (char c : order) {
    run = c == tag ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

TEST(LinuxPriorityTest, HighPriorityWorkIsPickedBeforeEarlierMediumWork) {
  OneWorkerPool pool;
  for (int i = 0; i < 20; ++i) pool.Add(Priority::kMedium, 'm');
  for (int i = 0; i < 8; ++i) pool.Add(Priority::kHigh, 'H');
  const std::string order = pool.Run();
  ASSERT_EQ(order.size(), 28u);
  EXPECT_EQ(order[0], 'H') << order;
  // 8 high picks, at most one medium pick after each streak of 4, and at
  // most one more for the injector's periodic turn (kGlobalQueueInterval).
  const size_t last_high = order.rfind('H');
  EXPECT_LE(last_high, 8u + 8 / kMaxHighStreak + 1) << order;
}

TEST(LinuxPriorityTest, AFloodOfHighPriorityWorkDoesNotStarveMediumWork) {
  OneWorkerPool pool;
  for (int i = 0; i < 10; ++i) pool.Add(Priority::kMedium, 'm');
  for (int i = 0; i < 60; ++i) pool.Add(Priority::kHigh, 'H');
  const std::string order = pool.Run();
  ASSERT_EQ(order.size(), 70u);
  // While medium work waited, high work never took more than 4 picks in a
  // row (after the last medium task, nothing else waits).
  EXPECT_LE(LongestRun(order.substr(0, order.rfind('m')), 'H'), kMaxHighStreak) << order;
  // Every medium task ran while high work was still queued.
  EXPECT_LT(order.rfind('m'), order.rfind('H')) << order;
}

TEST(LinuxPriorityTest, LowPriorityWorkIsNotStarvedByABacklogOfMediumWork) {
  OneWorkerPool pool;
  pool.Add(Priority::kLow, 'L');
  for (int i = 0; i < 100; ++i) pool.Add(Priority::kMedium, 'm');
  const std::string order = pool.Run();
  ASSERT_EQ(order.size(), 101u);
  // Taken at the worker's next kLowInterval-th pick (one more pick if the
  // injector's periodic turn falls on it).
  EXPECT_LE(order.find('L'), static_cast<size_t>(kLowInterval) + 1) << order;
}

TEST(LinuxPriorityTest, LowPriorityWorkRunsAfterMediumWorkOtherwise) {
  OneWorkerPool pool;
  for (int i = 0; i < 3; ++i) pool.Add(Priority::kLow, 'L');
  for (int i = 0; i < 3; ++i) pool.Add(Priority::kMedium, 'm');
  const std::string order = pool.Run();
  ASSERT_EQ(order.size(), 6u);
  // Fewer picks than kLowInterval: unless a low turn falls among them, the
  // medium work goes first. Either way low work does run.
  EXPECT_EQ(std::count(order.begin(), order.end(), 'L'), 3) << order;
  EXPECT_LE(std::count(order.begin(), order.begin() + 3, 'L'), 1) << order;
}

TEST(LinuxPriorityTest, PriorityWorkSpawnedFromInsideAStepAndTimersKeepThePriority) {
  auto dispatcher = CreatePlatformDispatcher({.worker_threads = 2});
  Executor ex(dispatcher);
  // A high-priority task that yields and spawns a high-priority child: every
  // step goes through the prioritized queue, and nothing is lost.
  Task<int> parent = ex.SpawnWithPriority(Priority::kHigh, [ex]() -> Future<int> {
    Task<int> child = ex.SpawnWithPriority(Priority::kLow, []() -> Future<int> { co_return 2; });
    co_await ex.Timer(std::chrono::milliseconds(1));
    co_return 1 + co_await std::move(child);
  });
  EXPECT_EQ(ex.Block(std::move(parent)), 3);
  dispatcher->Shutdown();
}

TEST(LinuxPriorityTest, ShutdownWithQueuedPriorityWorkLeavesNothingBehind) {
  auto dispatcher = CreatePlatformDispatcher({.worker_threads = 1});
  Executor ex(dispatcher);
  absl::Notification started, release;
  Task<void> gate = ex.Spawn([&]() -> Future<void> {
    started.Notify();
    release.WaitForNotification();
    co_return;
  });
  started.WaitForNotification();
  Task<int> high = ex.SpawnWithPriority(Priority::kHigh, []() -> Future<int> { co_return 1; });
  Task<int> low = ex.SpawnWithPriority(Priority::kLow, []() -> Future<int> { co_return 1; });
  std::thread releaser([&] { release.Notify(); });
  dispatcher->Shutdown();  // runs or drops both (ASan: no frame leaks), without hanging
  releaser.join();
  EXPECT_TRUE((high.IsReady() || high.IsCancelled()));
  EXPECT_TRUE((low.IsReady() || low.IsCancelled()));
}

}  // namespace
}  // namespace scheduler
