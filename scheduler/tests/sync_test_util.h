// Frame bookkeeping for the combinator and sync-primitive tests: every frame
// a test makes holds a FrameProbe, so a test can assert that each frame was
// destroyed exactly once and that none outlives the run.
#ifndef SCHEDULER_TESTS_SYNC_TEST_UTIL_H_
#define SCHEDULER_TESTS_SYNC_TEST_UTIL_H_

#include <atomic>

#include "gtest/gtest.h"

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

}  // namespace scheduler::testing_util

#endif  // SCHEDULER_TESTS_SYNC_TEST_UTIL_H_
