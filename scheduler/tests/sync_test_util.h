// Frame bookkeeping for the combinator and sync-primitive tests: every frame
// a test makes holds a FrameProbe, so a test can assert that each frame was
// destroyed exactly once and that none outlives the run. And the sweeps'
// cancellation injector.
#ifndef SCHEDULER_TESTS_SYNC_TEST_UTIL_H_
#define SCHEDULER_TESTS_SYNC_TEST_UTIL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "scheduler/task.h"
#include "testing/test_scheduler.h"

namespace scheduler::testing_util {

struct FrameCounts {
  std::atomic<int> made{0};
  std::atomic<int> destroyed{0};
  int alive() const { return made.load() - destroyed.load(); }
};

// Declare one as a local of a coroutine. Its destructor runs when the frame
// is destroyed (finished or cancelled); a second destruction fails the test.
class FrameProbe {
 public:
  explicit FrameProbe(FrameCounts& counts) : counts_(&counts) { counts_->made.fetch_add(1); }
  FrameProbe(const FrameProbe&) = delete;
  FrameProbe& operator=(const FrameProbe&) = delete;
  ~FrameProbe() {
    if (canary_ != kAlive) {
      ADD_FAILURE() << "a frame was destroyed twice";
      return;
    }
    canary_ = kDead;
    counts_->destroyed.fetch_add(1);
  }

 private:
  static constexpr unsigned kAlive = 0xA11CE;
  static constexpr unsigned kDead = 0xDEAD;
  FrameCounts* counts_;
  volatile unsigned canary_ = kAlive;
};

// For sweeps: with probability 1/`one_in` (from the scheduler's seeded RNG),
// cancels one not yet finished task of `tasks` by dropping its handle, and
// marks it in `cancelled`. Called between steps, so the victim is wherever
// the schedule left it: not started, queued at an await, woken but not yet
// resumed, or running between awaits.
inline void MaybeCancelOne(const std::shared_ptr<TestScheduler>& scheduler,
                           std::vector<Task<void>>& tasks, std::vector<bool>& cancelled,
                           uint64_t one_in) {
  if (!scheduler->Rng().Chance(1, one_in)) return;
  const size_t victim = scheduler->Rng().Below(tasks.size());
  if (cancelled[victim] || tasks[victim].IsReady()) return;
  tasks[victim] = Task<void>();
  cancelled[victim] = true;
}

}  // namespace scheduler::testing_util

#endif  // SCHEDULER_TESTS_SYNC_TEST_UTIL_H_
