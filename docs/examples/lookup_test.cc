// The README's race-and-timeout example under the TestScheduler: the fake
// clock decides exactly which of the race and the timeout ends first.
#include "docs/examples/lookup.h"

#include "gtest/gtest.h"
#include "testing/harness.h"

namespace scheduler {
namespace {

using readme::Lookup;

SCHEDULER_TEST_WITH(LookupTest, TheFasterReplicaAnswersWithinTheTimeout, .iterations = 50) {
  Executor ex(scheduler);
  Task<std::optional<std::string>> answer =
      ex.Spawn(Lookup(ex, "k", std::chrono::milliseconds(50)));
  scheduler->RunUntilParked();
  scheduler->AdvanceClock(std::chrono::milliseconds(29));
  EXPECT_FALSE(answer.IsReady());
  scheduler->AdvanceClock(std::chrono::milliseconds(1));
  ASSERT_TRUE(answer.IsReady());
  EXPECT_EQ(ex.Block(std::move(answer)), "eu:k");
}

SCHEDULER_TEST_WITH(LookupTest, ATimeoutShorterThanBothRepliesGivesNothing, .iterations = 50) {
  Executor ex(scheduler);
  Task<std::optional<std::string>> answer =
      ex.Spawn(Lookup(ex, "k", std::chrono::milliseconds(20)));
  scheduler->RunUntilParked();
  scheduler->AdvanceClock(std::chrono::milliseconds(20));
  ASSERT_TRUE(answer.IsReady());
  EXPECT_EQ(ex.Block(std::move(answer)), std::nullopt);
}

}  // namespace
}  // namespace scheduler
