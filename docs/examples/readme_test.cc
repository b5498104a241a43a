// The README's deterministic test, verbatim (see README.md "Deterministic tests").
#include "docs/examples/sum.h"
#include "gtest/gtest.h"
#include "testing/harness.h"

namespace scheduler {
namespace {

using readme::Sum;

SCHEDULER_TEST(SumTest, AddsAfterTheTimers) {  // runs for many seeds; `scheduler` is given
  Executor ex(scheduler);
  Task<int> sum = ex.Spawn(Sum(ex));
  scheduler->RunUntilParked();  // both timers pending, nothing else to run
  EXPECT_FALSE(sum.IsReady());
  scheduler->AdvanceClock(std::chrono::milliseconds(10));  // fires them at their own times
  ASSERT_TRUE(sum.IsReady());
  EXPECT_EQ(ex.Block(std::move(sum)), 10);
}

}  // namespace
}  // namespace scheduler
