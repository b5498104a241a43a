// Runs under Bazel with shard_count = 3: every shard runs every
// SCHEDULER_TEST, each with its own third of the seeds.
#include <cstdlib>
#include <string>
#include <vector>

#include "executor/executor.h"
#include "gtest/gtest.h"
#include "scheduler/yield.h"
#include "testing/harness.h"

namespace scheduler {
namespace {

std::vector<uint64_t> seeds_run;

SCHEDULER_TEST_WITH(ShardedTest, SplitsItsSeeds, .iterations = 30) {
  seeds_run.push_back(scheduler->seed());
  Executor executor(scheduler);
  Task<void> t = executor.Spawn([]() -> Future<void> { co_await Yield(); });
  scheduler->RunUntilParked();
  EXPECT_TRUE(t.IsReady());
}

// Declared after the test above, so GoogleTest runs it afterwards.
TEST(ShardedTest, ThisShardRanItsShare) {
  const char* total = std::getenv("TEST_TOTAL_SHARDS");
  const char* index = std::getenv("TEST_SHARD_INDEX");
  if (std::getenv("SEED") != nullptr || std::getenv("ITERATIONS") != nullptr) {
    GTEST_SKIP() << "seeds chosen by the environment";
  }
  if (total == nullptr || index == nullptr) {
    EXPECT_EQ(seeds_run.size(), 30u) << "unsharded: every seed";
    return;
  }
  const uint64_t shards = std::stoull(total), shard = std::stoull(index);
  EXPECT_EQ(seeds_run.size(), (30 - shard + shards - 1) / shards);
  for (uint64_t seed : seeds_run) EXPECT_EQ(seed % shards, shard) << seed;
}

}  // namespace
}  // namespace scheduler
