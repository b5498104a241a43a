// The GoogleTest harness: SCHEDULER_TEST, seeds from SEED/ITERATIONS, clear
// errors for malformed values, replay lines, divergence reports and Bazel
// sharding by seed.
#include "testing/harness.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "executor/executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "scheduler/channel.h"
#include "scheduler/yield.h"
#include "testing/internal/harness_env.h"
#include "testing/schedule.h"
#include "testing/tests/self_exec.h"

namespace scheduler {
namespace {

using ::testing::HasSubstr;
using testing_support::RunSelf;
using testing_support::ScopedEnv;

// --- The macros, as users write them. ---

SCHEDULER_TEST(HarnessTest, BodyDrivesATestScheduler) {
  Executor executor(scheduler);
  Task<int> t = executor.Spawn([]() -> Future<int> {
    co_await Yield();
    co_return 7;
  });
  scheduler->RunUntilParked();
  ASSERT_TRUE(t.IsReady());
  EXPECT_EQ(executor.Block(std::move(t)), 7);
}

SCHEDULER_TEST_WITH(HarnessTest, OptionsReachTheScheduler, .iterations = 5, .seed = 40,
                    .strategy = Strategy::kPct) {
  if (std::getenv("SEED") == nullptr) {
    EXPECT_GE(scheduler->seed(), 40u);
  }
  if (std::getenv("SEED") == nullptr && std::getenv("ITERATIONS") == nullptr) {
    EXPECT_LT(scheduler->seed(), 45u);
  }
  EXPECT_EQ(scheduler->strategy(), Strategy::kPct);
}

// --- RunSchedulerTest, with the environment under control. ---

std::vector<uint64_t>* seeds_seen = nullptr;
void RecordSeed(const std::shared_ptr<TestScheduler>& s) { seeds_seen->push_back(s->seed()); }

class HarnessEnvTest : public ::testing::Test {
 protected:
  void SetUp() override { seeds_seen = &seeds_; }
  void TearDown() override { seeds_seen = nullptr; }
  std::vector<uint64_t> seeds_;
  // Whatever the runner of this test set, these tests choose their own.
  ScopedEnv seed_{"SEED", nullptr};
  ScopedEnv iterations_{"ITERATIONS", nullptr};
  ScopedEnv divergence_{"SCHEDULER_DEBUG_DIVERGENCE", nullptr};
  ScopedEnv schedule_{"SCHEDULE", nullptr};
  ScopedEnv total_{"TEST_TOTAL_SHARDS", nullptr};
  ScopedEnv index_{"TEST_SHARD_INDEX", nullptr};
};

std::vector<uint64_t> Range(uint64_t first, uint64_t count) {
  std::vector<uint64_t> out;
  for (uint64_t i = 0; i < count; ++i) out.push_back(first + i);
  return out;
}

TEST_F(HarnessEnvTest, OptionsChooseTheSeeds) {
  RunSchedulerTest("X.Y", {.iterations = 25, .seed = 100}, &RecordSeed);
  EXPECT_EQ(seeds_, Range(100, 25));
}

TEST_F(HarnessEnvTest, EnvironmentOverridesTheOptions) {
  ScopedEnv seed("SEED", "7");
  ScopedEnv iterations("ITERATIONS", "3");
  RunSchedulerTest("X.Y", {.iterations = 25, .seed = 100}, &RecordSeed);
  EXPECT_EQ(seeds_, Range(7, 3));
}

TEST_F(HarnessEnvTest, SeedWithOneIterationRunsExactlyThatSeed) {
  ScopedEnv seed("SEED", "41");
  ScopedEnv iterations("ITERATIONS", "1");
  RunSchedulerTest("X.Y", {.iterations = 1000}, &RecordSeed);
  EXPECT_EQ(seeds_, std::vector<uint64_t>{41});
}

TEST_F(HarnessEnvTest, MalformedSeedFailsWithAMessage) {
  ScopedEnv seed("SEED", "12abc");
  EXPECT_NONFATAL_FAILURE(RunSchedulerTest("X.Y", {}, &RecordSeed),
                          "SEED must be a non-negative decimal integer below 2^64, got \"12abc\"");
  EXPECT_TRUE(seeds_.empty());
}

TEST_F(HarnessEnvTest, MalformedIterationsFailWithAMessage) {
  {
    ScopedEnv iterations("ITERATIONS", "-3");
    EXPECT_NONFATAL_FAILURE(RunSchedulerTest("X.Y", {}, &RecordSeed), "ITERATIONS must be");
  }
  {
    ScopedEnv iterations("ITERATIONS", "0");
    EXPECT_NONFATAL_FAILURE(RunSchedulerTest("X.Y", {}, &RecordSeed),
                            "ITERATIONS must be at least 1");
  }
  {
    ScopedEnv seed("SEED", "18446744073709551615");
    ScopedEnv iterations("ITERATIONS", "2");
    EXPECT_NONFATAL_FAILURE(RunSchedulerTest("X.Y", {}, &RecordSeed), "overflows");
  }
  EXPECT_TRUE(seeds_.empty());
}

void FailsAtSeedThree(const std::shared_ptr<TestScheduler>& s) {
  seeds_seen->push_back(s->seed());
  EXPECT_NE(s->seed(), 3u) << "planted failure";
}

TEST_F(HarnessEnvTest, AFailingSeedStopsTheRunAndNamesItsReplayLine) {
  ScopedEnv target("TEST_TARGET", "//pkg:target");
  EXPECT_NONFATAL_FAILURE(
      RunSchedulerTest("Suite.Name", {.iterations = 10, .shrink_runs = 0}, &FailsAtSeedThree),
      "seed 3; replay with: bazel test //pkg:target --test_env=SEED=3 --test_env=ITERATIONS=1 "
      "--test_filter=Suite.Name");
  EXPECT_EQ(seeds_, Range(0, 4)) << "stops at the first failing seed";
}

void StuckBlock(const std::shared_ptr<TestScheduler>& s) {
  Executor executor(s);
  auto [tx, rx] = MakeChannel<int>();
  executor.Block([rx = std::move(rx)]() mutable -> Future<void> { co_await rx.Recv(); });
  ADD_FAILURE() << "not reached: the block fails";
}

TEST_F(HarnessEnvTest, SchedulerFailuresFailTheTestWithSeedAndReplay) {
  ScopedEnv seed("SEED", "12");
  ScopedEnv target("TEST_TARGET", nullptr);
  EXPECT_NONFATAL_FAILURE(RunSchedulerTest("Suite.Stuck", {}, &StuckBlock), "parking is forbidden");
  EXPECT_NONFATAL_FAILURE(RunSchedulerTest("Suite.Stuck", {}, &StuckBlock),
                          "seed 12; replay with: SEED=12 ITERATIONS=1 ");
}

int divergent_runs = 0;
void Divergent(const std::shared_ptr<TestScheduler>& s) {
  // State that outlives a run decides how many tasks there are.
  Executor executor(s);
  std::vector<Task<void>> tasks;
  for (int i = 0; i <= divergent_runs % 2; ++i) {
    tasks.push_back(executor.Spawn([]() -> Future<void> { co_return; }));
  }
  ++divergent_runs;
  s->RunUntilParked();
}

TEST_F(HarnessEnvTest, DivergenceDebugReportsTheFirstDifferentStep) {
  ScopedEnv debug("SCHEDULER_DEBUG_DIVERGENCE", "1");
  EXPECT_NONFATAL_FAILURE(RunSchedulerTest("X.Y", {.seed = 5}, &Divergent),
                          "seed 5 is not deterministic: two runs diverged at trace event #");
}

TEST_F(HarnessEnvTest, DeterministicBodiesPassTheDivergenceCheck) {
  RunSchedulerTest("X.Y", {.iterations = 20, .check_determinism = true}, &RecordSeed);
  EXPECT_EQ(seeds_.size(), 40u) << "each seed twice";
}

TEST_F(HarnessEnvTest, MalformedDebugFlagFails) {
  ScopedEnv debug("SCHEDULER_DEBUG_DIVERGENCE", "maybe");
  EXPECT_NONFATAL_FAILURE(RunSchedulerTest("X.Y", {}, &RecordSeed),
                          "SCHEDULER_DEBUG_DIVERGENCE must be 1/true/yes or 0/false/no");
}

TEST_F(HarnessEnvTest, TraceOutWritesOneTracePerSeed) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/harness_traces";
  ScopedEnv out("SCHEDULER_TRACE_OUT", dir.c_str());
  RunSchedulerTest("Suite.Traced", {.iterations = 2, .seed = 8}, &RecordSeed);
  EXPECT_TRUE(std::filesystem::exists(dir + "/Suite.Traced.seed8.trace.json"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/Suite.Traced.seed9.svg"));
}

TEST_F(HarnessEnvTest, MalformedScheduleFailsWithAMessage) {
  ScopedEnv schedule("SCHEDULE", "17:1.two");
  EXPECT_NONFATAL_FAILURE(RunSchedulerTest("X.Y", {}, &RecordSeed), "SCHEDULE: schedule");
  EXPECT_TRUE(seeds_.empty());
}

TEST_F(HarnessEnvTest, ScheduleRunsExactlyThatScheduleWithItsSeed) {
  ScopedEnv schedule("SCHEDULE", "23:1");
  RunSchedulerTest("X.Y", {.iterations = 10, .seed = 5}, &RecordSeed);
  EXPECT_EQ(seeds_, std::vector<uint64_t>{23});
}

// The two-task, three-step program of exhaustive_test, through the harness.
uint64_t exhaustive_runs = 0;
void TwoTasksOfThreeSteps(const std::shared_ptr<TestScheduler>& s) {
  ++exhaustive_runs;
  EXPECT_EQ(s->strategy(), Strategy::kExhaustive);
  auto three_steps = []() -> Future<void> {
    co_await Yield();
    co_await Yield();
  };
  Task<void> a = Spawn(s, three_steps());
  Task<void> b = Spawn(s, three_steps());
  s->RunUntilParked();
  EXPECT_EQ(s->steps(), 6u);
}

TEST_F(HarnessEnvTest, ExhaustiveStrategyRunsEveryScheduleWithinTheBound) {
  exhaustive_runs = 0;
  RunSchedulerTest("X.Y", {.strategy = Strategy::kExhaustive, .preemption_bound = 2},
                   &TwoTasksOfThreeSteps);
  EXPECT_EQ(exhaustive_runs, 14u) << "see exhaustive_test.cc for the arithmetic";
}

SCHEDULER_TEST_WITH(HarnessTest, ExhaustiveThroughTheMacro, .strategy = Strategy::kExhaustive,
                    .preemption_bound = 1) {
  TwoTasksOfThreeSteps(scheduler);
}

// --- harness_env directly. ---

internal::EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(HarnessEnvParsingTest, SeedPlans) {
  absl::StatusOr<internal::SeedPlan> plan = internal::MakeSeedPlan(FakeEnv({}), 3, 4);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->first_seed, 3u);
  EXPECT_EQ(plan->iterations, 4u);
  EXPECT_EQ(plan->shard_count, 1u);
  for (const char* bad : {"", " 1", "+1", "1.0", "0x10", "99999999999999999999"}) {
    EXPECT_FALSE(internal::MakeSeedPlan(FakeEnv({{"SEED", bad}}), 0, 1).ok()) << bad;
  }
  EXPECT_FALSE(
      internal::MakeSeedPlan(FakeEnv({{"TEST_TOTAL_SHARDS", "3"}, {"TEST_SHARD_INDEX", "3"}}), 0, 1)
          .ok());
  EXPECT_FALSE(internal::MakeSeedPlan(FakeEnv({{"TEST_TOTAL_SHARDS", "x"}}), 0, 1).ok());
}

TEST(HarnessEnvParsingTest, ShardsCoverEverySeedExactlyOnce) {
  for (uint64_t shards : {1, 2, 3, 7, 50}) {
    for (uint64_t iterations : {1, 5, 49, 100}) {
      std::vector<uint64_t> all;
      for (uint64_t index = 0; index < shards; ++index) {
        absl::StatusOr<internal::SeedPlan> plan =
            internal::MakeSeedPlan(FakeEnv({{"TEST_TOTAL_SHARDS", std::to_string(shards)},
                                            {"TEST_SHARD_INDEX", std::to_string(index)}}),
                                   1000, iterations);
        ASSERT_TRUE(plan.ok());
        uint64_t count = 0;
        plan->ForEachSeed([&](uint64_t seed) {
          all.push_back(seed);
          ++count;
          return true;
        });
        EXPECT_EQ(count, plan->SeedsInShard());
      }
      std::sort(all.begin(), all.end());
      EXPECT_EQ(all, Range(1000, iterations)) << shards << " shards, " << iterations;
    }
  }
}

TEST(HarnessEnvParsingTest, ForEachSeedStopsAtTheTopOfTheRange) {
  internal::SeedPlan plan;
  plan.first_seed = UINT64_MAX - 4;
  plan.iterations = 5;
  plan.shard_count = 3;
  std::vector<uint64_t> seen;
  plan.ForEachSeed([&](uint64_t seed) {
    seen.push_back(seed);
    return true;
  });
  EXPECT_EQ(seen, (std::vector<uint64_t>{UINT64_MAX - 4, UINT64_MAX - 1}));
}

TEST(HarnessEnvParsingTest, ReplayCommands) {
  EXPECT_EQ(internal::ReplayCommand(FakeEnv({{"TEST_TARGET", "//a:b"}}), 17, "S.N", "/x/b"),
            "bazel test //a:b --test_env=SEED=17 --test_env=ITERATIONS=1 --test_filter=S.N");
  EXPECT_EQ(internal::ReplayCommand(FakeEnv({}), 17, "S.N", "/x/b"),
            "SEED=17 ITERATIONS=1 /x/b --gtest_filter=S.N");
  const Schedule schedule{.seed = 4, .steps = {TaskId(1), TaskId(2)}};
  EXPECT_EQ(internal::ReplayCommand(FakeEnv({{"TEST_TARGET", "//a:b"}}), schedule, "S.N", "/x/b"),
            "bazel test //a:b --test_env=SCHEDULE=4:1.2 --test_filter=S.N");
  EXPECT_EQ(internal::ReplayCommand(FakeEnv({}), schedule, "S.N", "/x/b"),
            "SCHEDULE=4:1.2 /x/b --gtest_filter=S.N");
}

// --- Real sharding: rerun this binary as Bazel runs each shard. ---

// Records its seeds when asked to (by the test below); otherwise a no-op.
SCHEDULER_TEST_WITH(HarnessShardProbe, RecordsItsSeeds, .iterations = 1) {
  if (const char* out = std::getenv("SHARD_PROBE_OUT")) {
    std::ofstream(out, std::ios::app) << scheduler->seed() << "\n";
  }
}

TEST(HarnessShardingTest, ShardsRunEverySeedExactlyOnce) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/shards";
  std::filesystem::create_directories(dir);
  const std::string seeds_file = dir + "/seeds";
  std::filesystem::remove(seeds_file);
  constexpr int kShards = 3;
  for (int index = 0; index < kShards; ++index) {
    const std::string status_file = absl::StrCat(dir, "/status", index);
    std::filesystem::remove(status_file);
    // What Bazel's test runner sets for shard `index` of a shard_count = 3
    // target (GoogleTest's variables included).
    testing_support::ChildResult r =
        RunSelf("HarnessShardProbe.*", {{"TEST_TOTAL_SHARDS", std::to_string(kShards)},
                                        {"TEST_SHARD_INDEX", std::to_string(index)},
                                        {"GTEST_TOTAL_SHARDS", std::to_string(kShards)},
                                        {"GTEST_SHARD_INDEX", std::to_string(index)},
                                        {"TEST_SHARD_STATUS_FILE", status_file},
                                        {"SEED", "500"},
                                        {"ITERATIONS", "20"},
                                        {"SHARD_PROBE_OUT", seeds_file},
                                        {"SCHEDULER_DEBUG_DIVERGENCE", ""}});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(std::filesystem::exists(status_file)) << "shard support not announced";
  }
  std::ifstream in(seeds_file);
  std::vector<uint64_t> seeds;
  for (uint64_t seed; in >> seed;) seeds.push_back(seed);
  std::sort(seeds.begin(), seeds.end());
  EXPECT_EQ(seeds, Range(500, 20));
}

// --- A deliberately failing SCHEDULER_TEST, run only as a child. ---

bool DemoEnabled() { return std::getenv("HARNESS_DEMO_FAIL") != nullptr; }

// The schedule of the "SCHEDULE=..." replay line printed after `marker`.
std::string ScheduleAfter(const std::string& output, const std::string& marker) {
  const std::string::size_type at = output.find(marker);
  if (at == std::string::npos) return "";
  const std::string::size_type start = output.find("SCHEDULE=", at);
  if (start == std::string::npos) return "";
  const std::string::size_type end = output.find(' ', start);
  return output.substr(start + 9, end - start - 9);
}

Future<void> Deposit(Executor executor, int* balance) {
  co_await executor.SimulateRandomDelay();  // the request arrives
  const int read = *balance;
  co_await Yield();  // a round trip to the database
  *balance = read + 10;
}

// A lost update: two deposits each read, wait, then write the balance.
void TwoDeposits(const std::shared_ptr<TestScheduler>& scheduler) {
  if (!DemoEnabled()) return;
  Executor executor(scheduler);
  int balance = 0;
  Task<void> first = executor.Spawn(Deposit(executor, &balance));
  Task<void> second = executor.Spawn(Deposit(executor, &balance));
  scheduler->RunUntilParked();
  EXPECT_EQ(balance, 20);
}

SCHEDULER_TEST_WITH(HarnessDemo, LostUpdate, .iterations = 50) { TwoDeposits(scheduler); }

TEST(HarnessDemoTest, AFailingSeedPrintsItsReplayLine) {
  testing_support::ChildResult r =
      RunSelf("HarnessDemo.LostUpdate", {{"HARNESS_DEMO_FAIL", "1"},
                                         {"TEST_TARGET", ""},
                                         {"SEED", ""},
                                         {"ITERATIONS", ""},
                                         {"SCHEDULER_DEBUG_DIVERGENCE", ""}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("Expected equality of these values:\n  balance"));
  EXPECT_THAT(r.output, ::testing::ContainsRegex(
                            "\\[ SCHEDULER\\] HarnessDemo.LostUpdate failed with seed [0-9]+. "
                            "Replay it with:\nSEED=[0-9]+ ITERATIONS=1 /.* "
                            "--gtest_filter=HarnessDemo.LostUpdate\n"));
  // The replay line replays: exactly that seed fails again.
  const std::string::size_type at = r.output.find("failed with seed ");
  ASSERT_NE(at, std::string::npos);
  const std::string seed = r.output.substr(at + 17, r.output.find('.', at + 17) - at - 17);
  testing_support::ChildResult replay = RunSelf(
      "HarnessDemo.LostUpdate",
      {{"HARNESS_DEMO_FAIL", "1"}, {"TEST_TARGET", ""}, {"SEED", seed}, {"ITERATIONS", "1"}});
  EXPECT_EQ(replay.exit_code, 1);
  EXPECT_THAT(replay.output, HasSubstr("failed with seed " + seed + "."));
  // The schedule, shrunk, replays the failure too.
  EXPECT_THAT(r.output, ::testing::ContainsRegex("\\[ SCHEDULER\\] schedule: " + seed + ":[0-9]"));
  const std::string shrunk = ScheduleAfter(r.output, "[ SCHEDULER] shrunk the schedule from");
  ASSERT_FALSE(shrunk.empty()) << r.output;
  testing_support::ChildResult again =
      RunSelf("HarnessDemo.LostUpdate",
              {{"HARNESS_DEMO_FAIL", "1"}, {"TEST_TARGET", ""}, {"SCHEDULE", shrunk}});
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_THAT(again.output, HasSubstr("failed with schedule " + shrunk + "."));
}

// The lost update again, found by exhaustive search.
SCHEDULER_TEST_WITH(HarnessDemo, LostUpdateExhaustively, .strategy = Strategy::kExhaustive,
                    .preemption_bound = 1) {
  TwoDeposits(scheduler);
}

TEST(HarnessDemoTest, ExhaustiveSearchNamesTheFailingScheduleAndItsReplay) {
  testing_support::ChildResult r = RunSelf("HarnessDemo.LostUpdateExhaustively",
                                           {{"HARNESS_DEMO_FAIL", "1"}, {"TEST_TARGET", ""}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, ::testing::ContainsRegex(
                            "failed on schedule #[0-9]+ of the exhaustive search. Replay it with:\n"
                            "SCHEDULE=0:[0-9.x]+ /"));
  EXPECT_THAT(r.output, HasSubstr("exhaustive search with preemption bound 1 ran "));
  EXPECT_THAT(r.output, HasSubstr("schedules; stopped at the first failure"));
  const std::string shrunk = ScheduleAfter(r.output, "[ SCHEDULER] shrunk the schedule from");
  ASSERT_FALSE(shrunk.empty()) << r.output;
  testing_support::ChildResult again =
      RunSelf("HarnessDemo.LostUpdateExhaustively",
              {{"HARNESS_DEMO_FAIL", "1"}, {"TEST_TARGET", ""}, {"SCHEDULE", shrunk}});
  EXPECT_EQ(again.exit_code, 1) << again.output;
}

TEST(HarnessDemoTest, ACorrectTestExhaustsItsSpace) {
  testing_support::ChildResult r = RunSelf("HarnessTest.ExhaustiveThroughTheMacro", {});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("exhaustive search with preemption bound 1 ran 6 schedules; "
                                  "the space is exhausted"));
}

}  // namespace
}  // namespace scheduler
