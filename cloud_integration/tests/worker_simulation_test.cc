// The worker simulation's promises: with the planted bug, the default sweep
// finds it and names the line; a failing seed replays to exactly the same
// failure; with the bug fixed, every seed passes; and the same worker runs on
// the production dispatcher.
#include <string>
#include <vector>

#include "cloud_integration/worker_simulation_lib.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cloud {
namespace {

using ::testing::HasSubstr;

constexpr int kDefaultSeeds = 200;  // worker_simulation's --seeds default

std::vector<SeedReport> Sweep(const SimulationOptions& options) {
  std::vector<SeedReport> failing;
  for (uint64_t seed = 0; seed < kDefaultSeeds; ++seed) {
    SeedReport report = SimulateSeed(seed, options);
    EXPECT_EQ(report.sessions_validated, options.requests_per_seed) << "seed " << seed;
    EXPECT_EQ(report.error, "") << "seed " << seed;
    if (!report.ok()) failing.push_back(std::move(report));
  }
  return failing;
}

TEST(WorkerSimulationTest, DefaultSweepFindsThePlantedBugOnlyOnSomeSeeds) {
  std::vector<SeedReport> failing = Sweep({});
  ASSERT_FALSE(failing.empty()) << "the planted bug was not found in " << kDefaultSeeds << " seeds";
  EXPECT_LT(failing.size(), kDefaultSeeds / 2u) << "the bug should depend on the interleaving";
  for (const SeedReport& report : failing) {
    for (const SessionFailure& failure : report.failures) {
      EXPECT_THAT(failure.request, HasSubstr("PUT /items/")) << "only PUT has the bug";
      EXPECT_THAT(failure.message, HasSubstr("unauthorized task"));
      EXPECT_THAT(failure.message, HasSubstr("spawned at cloud_integration/example_worker.cc:"));
      EXPECT_THAT(failure.message, HasSubstr("(cloud::EdgeCacheWorker::Put)"));
    }
  }
}

TEST(WorkerSimulationTest, AFailingSeedReplaysToExactlyTheSameFailure) {
  std::vector<SeedReport> failing = Sweep({});
  ASSERT_FALSE(failing.empty());
  for (const SeedReport& first : failing) {
    SeedReport again = SimulateSeed(first.seed, {});
    EXPECT_EQ(again.trace_hash, first.trace_hash) << "seed " << first.seed;
    ASSERT_EQ(again.failures.size(), first.failures.size()) << "seed " << first.seed;
    for (size_t i = 0; i < first.failures.size(); ++i) {
      EXPECT_EQ(again.failures[i].session, first.failures[i].session);
      EXPECT_EQ(again.failures[i].request, first.failures[i].request);
      EXPECT_EQ(again.failures[i].message, first.failures[i].message);
    }
  }
  EXPECT_EQ(ReplayCommand(failing[0].seed, {}),
            "bazel run //cloud_integration:worker_simulation -- --seed=" +
                std::to_string(failing[0].seed));
}

TEST(WorkerSimulationTest, WithTheBugFixedEverySeedPasses) {
  std::vector<SeedReport> failing = Sweep({.fix_bug = true});
  EXPECT_TRUE(failing.empty()) << "seed " << failing[0].seed << ": "
                               << failing[0].failures[0].message;
}

TEST(WorkerSimulationTest, TheSameWorkerRunsOnTheProductionDispatcher) {
  DispatcherReport fixed = RunOnDispatcher(0, 5, {.fix_bug = true});
  EXPECT_EQ(fixed.requests_finished, 5u * 8u);
  EXPECT_EQ(fixed.handler_errors, 0u);
  EXPECT_EQ(fixed.wait_until_failed, 0u);
  // Every request records analytics; every PUT (fixed) and GET miss fills the cache.
  EXPECT_GE(fixed.wait_until_registered, fixed.requests_finished);
  EXPECT_EQ(fixed.writes_outliving_requests, 0u)
      << "with the fix, no cache write outlives its request";
}

}  // namespace
}  // namespace cloud
