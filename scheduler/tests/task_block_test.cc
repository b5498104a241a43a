// The task block (scheduler/internal/task_block.h): a spawned coroutine's core
// lives in its frame's allocation, the frame's destructors run once when the
// task ends, and the result outlives the frame until the Task takes it.
#include "scheduler/internal/task_block.h"

#include <coroutine>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "scheduler/future.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

// Records the address of the frame that awaits it, without suspending.
struct FrameAddress {
  using IsSchedulerAwaitable = void;
  void** out;
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) const noexcept {
    *out = h.address();
    return false;
  }
  void await_resume() const noexcept {}
};

// Counts its destructions (moved-from copies do not count).
class Sentinel {
 public:
  explicit Sentinel(int* destroyed) : destroyed_(destroyed) {}
  Sentinel(Sentinel&& other) noexcept : destroyed_(std::exchange(other.destroyed_, nullptr)) {}
  ~Sentinel() {
    if (destroyed_ != nullptr) ++*destroyed_;
  }

 private:
  int* destroyed_;
};

Future<std::string> RecordFrame(void** frame) {
  co_await FrameAddress{frame};
  co_return std::string(100, 'x');  // long enough to live on the heap
}

Future<std::string> HoldThenReturn(Sentinel sentinel, bool* yielded) {
  Sentinel local = std::move(sentinel);
  co_await Yield();
  *yielded = true;
  co_return std::string(100, 'y');
}

class TaskBlockTest : public ::testing::Test {
 protected:
  std::shared_ptr<TestScheduler> scheduler_ = TestScheduler::Create({.seed = 11});
};

TEST_F(TaskBlockTest, SpawnedCoreSitsInFrontOfItsFrame) {
  void* frame = nullptr;
  Task<std::string> task = Spawn(scheduler_, RecordFrame(&frame));
  scheduler_->RunUntilParked();
  ASSERT_NE(frame, nullptr);
  internal::TaskCoreBase* core = internal::TaskAccess::Core(task);
  using Block = internal::TaskCore<std::string>::Block;
  EXPECT_EQ(Block::FrameOfCore(core), frame) << "the core is not in the frame's block";
  EXPECT_EQ(task.TakeResult("test"), std::string(100, 'x'));
}

TEST_F(TaskBlockTest, FrameDestroyedAtCompletionResultOutlivesIt) {
  int destroyed = 0;
  bool yielded = false;
  Task<std::string> task = Spawn(scheduler_, HoldThenReturn(Sentinel(&destroyed), &yielded));
  scheduler_->RunUntilParked();
  ASSERT_TRUE(task.IsReady());
  EXPECT_TRUE(yielded);
  // The frame (parameter and local) is gone while the handle still holds the
  // block; the result, kept by the core, is intact.
  EXPECT_EQ(destroyed, 1);
  EXPECT_EQ(task.TakeResult("test"), std::string(100, 'y'));
  task = Task<std::string>();
  EXPECT_EQ(destroyed, 1) << "the frame was destroyed twice";
}

TEST_F(TaskBlockTest, CancelledQueuedFrameDestroyedOnceNeverRun) {
  int destroyed = 0;
  bool yielded = false;
  Task<std::string> task = Spawn(scheduler_, HoldThenReturn(Sentinel(&destroyed), &yielded));
  task = Task<std::string>();  // cancel while queued: its Runnable's holder destroys the frame
  scheduler_->RunUntilParked();
  EXPECT_EQ(destroyed, 1);
  EXPECT_FALSE(yielded) << "a cancelled task ran";
}

TEST_F(TaskBlockTest, DroppedUnspawnedFutureFreesItsBlock) {
  // No core was ever built in the block: destroying the frame frees it
  // (ASan/LSan report a leak or a bad free otherwise).
  int destroyed = 0;
  bool yielded = false;
  { Future<std::string> unspawned = HoldThenReturn(Sentinel(&destroyed), &yielded); }
  EXPECT_EQ(destroyed, 1);
}

TEST_F(TaskBlockTest, ReadyTaskHasABlockOfItsOwn) {
  Task<std::string> ready = Task<std::string>::Ready(std::string(100, 'r'));
  EXPECT_TRUE(ready.IsReady());
  EXPECT_EQ(ready.TakeResult("test"), std::string(100, 'r'));
}

}  // namespace
}  // namespace scheduler
