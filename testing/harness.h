// The GoogleTest harness: run a test body under the TestScheduler for one or
// many seeds, with a replay line for the seed that fails.
//
//   SCHEDULER_TEST(ChannelTest, DeliversInOrder) {
//     Executor executor(scheduler);          // `scheduler`: the TestScheduler
//     ...
//     scheduler->RunUntilParked();
//     EXPECT_EQ(...);
//   }
//
//   SCHEDULER_TEST_WITH(ChannelTest, ManySeedsUnderPct, .iterations = 200,
//                       .strategy = Strategy::kPct, .pct_depth = 2) { ... }
//
// The body runs once per seed with a fresh TestScheduler (options below).
// Environment (details in testing/internal/harness_env.h): SEED=n and
// ITERATIONS=k choose the seeds n..n+k-1 (SEED=n ITERATIONS=1 runs exactly
// seed n); under Bazel sharding (shard_count) the seeds are dealt to the
// shards so each runs exactly once; SCHEDULER_DEBUG_DIVERGENCE=1 runs every
// seed twice and reports the first step where the runs differ;
// SCHEDULER_TRACE_OUT=dir writes each seed's trace. A malformed value fails
// the test with a message.
//
// On the first failing seed (a GoogleTest assertion, a TestScheduler failure
// such as a stuck Block, or an exception escaping the body) the harness stops
// and prints the seed, a one-line command that replays it, and the run's
// schedule string (schedule.h), e.g.
//   bazel test //pkg:target --test_env=SEED=17 --test_env=ITERATIONS=1
//       --test_filter=Suite.Name                              (on one line)
// Then it shrinks the schedule (shrink.h: fewer preemptions, fewer steps,
// same failing assertion) and prints the replay of the shrunk one:
//   bazel test //pkg:target --test_env=SCHEDULE=17:1.2 --test_filter=Suite.Name
// SCHEDULE=<schedule> runs exactly that schedule, under any strategy option.
//
// Exhaustive exploration (exhaustive.h) replaces the seeds:
//   SCHEDULER_TEST_WITH(Cache, NoStaleFill, .strategy = Strategy::kExhaustive,
//                       .preemption_bound = 2) { ... }
// runs the body once per schedule with at most `preemption_bound`
// preemptions (SEED picks the data seed), stops at the first failure, and
// prints how many schedules ran and whether the space was exhausted; it
// records them as the test properties scheduler_schedules_run and
// scheduler_space_exhausted. Under sharding, shard 0 runs the whole search.
//
// Sharding note: to split seeds, the harness hides GoogleTest's own shard
// variables, so every test of a binary that links the harness runs in every
// shard. Keep plain TESTs of a sharded target few or put them elsewhere.
#ifndef TESTING_HARNESS_H_
#define TESTING_HARNESS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "testing/strategy.h"
#include "testing/test_scheduler.h"

namespace scheduler {

struct SchedulerTestOptions {
  // Seeds to run (ITERATIONS overrides).
  uint64_t iterations = 1;
  // First seed (SEED overrides); default 0. With iterations = 1, a fixed seed.
  std::optional<uint64_t> seed;
  Strategy strategy = Strategy::kRandom;
  // false: FIFO mode (TestSchedulerConfig::randomize_order), same order for
  // every seed.
  bool randomize_order = true;
  int pct_depth = 3;
  uint64_t pct_max_steps = 1000;
  // Strategy::kExhaustive: the preemption bound (negative: none) and a cap on
  // the schedules run.
  int preemption_bound = 2;
  uint64_t max_schedules = 100000;
  // Strategy::kFairRandom: the longest run of choices a task may lose.
  uint64_t fairness_bound = 32;
  // Replays allowed for shrinking a failing schedule; 0 turns shrinking off.
  uint64_t shrink_runs = 200;
  bool allow_parking = false;
  // What NumCpus() answers (TestSchedulerConfig::num_cpus; 0: the machine's).
  int num_cpus = 4;
  int64_t block_on_ticks_min = 0;
  int64_t block_on_ticks_max = 1000;
  // Run each seed twice and fail if the traces differ (as with
  // SCHEDULER_DEBUG_DIVERGENCE=1). The exhaustive search checks this itself.
  bool check_determinism = false;
};

using SchedulerTestBody = void (*)(const std::shared_ptr<TestScheduler>& scheduler);

// What the macros expand to; callable directly (e.g. from a TEST) too.
// `test_name` is "Suite.Name", used in the replay line and trace file names.
void RunSchedulerTest(const char* test_name, const SchedulerTestOptions& options,
                      SchedulerTestBody body);

// --- Bodies with values (Zed's `TestScheduler::once` / `many`) ---
//
//   TEST(Cache, HitsAfterTheFirstFill) {
//     std::vector<SeedValue<int>> hits = SchedulerMany(
//         50, [&](const std::shared_ptr<TestScheduler>& scheduler) {
//           Executor executor(scheduler);
//           ...
//           return cache.hits();          // captured state, returned value
//         });
//     for (const auto& [seed, value] : hits) EXPECT_GE(value, 1) << "seed " << seed;
//   }
//
// The body is any callable taking the TestScheduler and returning a value
// (not void: use SCHEDULER_TEST for those); it may capture. It runs exactly
// as a SCHEDULER_TEST body does (same options, environment, replay lines,
// shrinking, sharding), from inside the calling TEST, whose name the replay
// lines use. Returned: the value of every seed that passed, in the order the
// seeds ran; the run stops at the first failing seed (already reported as a
// test failure), whose value is left out. Under the exhaustive strategy no
// values are collected. With `check_determinism` the value of the second run
// is kept.

// What a value-returning body gives back for one seed.
template <typename F>
using SchedulerBodyResult = std::invoke_result_t<F&, const std::shared_ptr<TestScheduler>&>;

template <typename R>
struct SeedValue {
  uint64_t seed;
  R value;
};

namespace internal {
using SchedulerTestFunction = std::function<void(const std::shared_ptr<TestScheduler>&)>;
using SeedDone = std::function<void(uint64_t seed, bool failed)>;
void RunSchedulerFunction(const char* test_name, const SchedulerTestOptions& options,
                          const SchedulerTestFunction& body, const SeedDone& seed_done);
std::string CurrentTestName();
}  // namespace internal

// Runs `body` for `iterations` seeds (options.iterations is replaced; SEED
// and ITERATIONS still override, as for SCHEDULER_TEST).
template <typename F>
std::vector<SeedValue<SchedulerBodyResult<F>>> SchedulerMany(uint64_t iterations, F&& body,
                                                             SchedulerTestOptions options = {}) {
  using R = SchedulerBodyResult<F>;
  static_assert(!std::is_void_v<R>, "SchedulerMany needs a body that returns a value");
  options.iterations = iterations;
  std::vector<SeedValue<R>> values;
  std::optional<R> last;
  const internal::SchedulerTestFunction run = [&](const std::shared_ptr<TestScheduler>& s) {
    last.reset();
    last.emplace(body(s));
  };
  const internal::SeedDone done = [&](uint64_t seed, bool failed) {
    if (!failed && last.has_value()) values.push_back(SeedValue<R>{seed, std::move(*last)});
    last.reset();
  };
  const std::string name = internal::CurrentTestName();
  internal::RunSchedulerFunction(name.c_str(), options, run, done);
  return values;
}

// Runs `body` for one seed (options.seed, default 0) and returns its value,
// or nullopt if it failed (reported as a test failure).
template <typename F>
std::optional<SchedulerBodyResult<F>> SchedulerOnce(F&& body, SchedulerTestOptions options = {}) {
  auto values = SchedulerMany(1, std::forward<F>(body), std::move(options));
  if (values.empty()) return std::nullopt;
  return std::move(values.front().value);
}

}  // namespace scheduler

#define SCHEDULER_TEST(suite, name) SCHEDULER_TEST_WITH(suite, name, )

#define SCHEDULER_TEST_WITH(suite, name, ...)                                     \
  static void SchedulerTestBody_##suite##_##name(                                 \
      const std::shared_ptr<::scheduler::TestScheduler>& scheduler);              \
  TEST(suite, name) {                                                             \
    ::scheduler::RunSchedulerTest(#suite "." #name,                               \
                                  ::scheduler::SchedulerTestOptions{__VA_ARGS__}, \
                                  &SchedulerTestBody_##suite##_##name);           \
  }                                                                               \
  static void SchedulerTestBody_##suite##_##name(                                 \
      [[maybe_unused]] const std::shared_ptr<::scheduler::TestScheduler>& scheduler)

#endif  // TESTING_HARNESS_H_
