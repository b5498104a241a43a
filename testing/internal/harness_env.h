// Internal: the GoogleTest harness's environment handling, kept free of
// GoogleTest so it can be tested directly.
//
//   SEED=n          first seed (default: the test's `seed` option, else 0)
//   ITERATIONS=k    number of seeds, n .. n+k-1 (default: the `iterations`
//                   option, else 1); SEED=n ITERATIONS=1 runs exactly seed n
//   TEST_TOTAL_SHARDS / TEST_SHARD_INDEX (set by Bazel for shard_count > 1):
//                   the seeds are dealt round-robin to the shards, so every
//                   seed runs exactly once across them
//   SCHEDULE=<schedule>            run exactly that schedule (schedule.h),
//                   e.g. SCHEDULE=17:1.2x14.1, whatever the strategy; SEED
//                   and ITERATIONS are then ignored
//   SCHEDULER_DEBUG_DIVERGENCE=1   run each seed twice and report the first
//                   event where the two runs differ
//   SCHEDULER_TRACE_OUT=dir        write each seed's trace (trace_export.h)
//                   to dir/<Suite>.<Name>.seed<n>.*
//
// Malformed values are errors (absl::Status with a message naming the
// variable and the value), never crashes or silent defaults.
#ifndef TESTING_INTERNAL_HARNESS_ENV_H_
#define TESTING_INTERNAL_HARNESS_ENV_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "testing/schedule.h"

namespace scheduler::internal {

// Returns the value of an environment variable, or nullptr if unset.
using EnvLookup = std::function<const char*(const char* name)>;
// The process environment (std::getenv).
EnvLookup ProcessEnv();

// Which seeds this process runs: first_seed + i for every i in
// [0, iterations) with i % shard_count == shard_index.
struct SeedPlan {
  uint64_t first_seed = 0;
  uint64_t iterations = 1;
  uint64_t shard_index = 0;
  uint64_t shard_count = 1;
  bool debug_divergence = false;
  std::string trace_dir;             // empty: no trace files
  std::optional<Schedule> schedule;  // SCHEDULE

  // How many seeds this shard runs.
  uint64_t SeedsInShard() const;
  // Calls `fn(seed)` for this shard's seeds in increasing order until it
  // returns false.
  void ForEachSeed(const std::function<bool(uint64_t seed)>& fn) const;
};

// Parses a non-negative decimal integer; `name` is only for the message.
absl::StatusOr<uint64_t> ParseUnsigned(const char* name, const char* value);
// "1", "true", "yes" / "0", "false", "no", "" (case-sensitive).
absl::StatusOr<bool> ParseBool(const char* name, const char* value);

absl::StatusOr<SeedPlan> MakeSeedPlan(const EnvLookup& env, uint64_t default_seed,
                                      uint64_t default_iterations);

// A one-line shell command that reruns exactly `seed` of the test
// `test_name` ("Suite.Name"): a `bazel test` line when TEST_TARGET is set (as
// under `bazel test`), else the test binary itself (`executable`).
std::string ReplayCommand(const EnvLookup& env, uint64_t seed, const std::string& test_name,
                          const std::string& executable);
// The same for exactly `schedule` (SCHEDULE=...).
std::string ReplayCommand(const EnvLookup& env, const Schedule& schedule,
                          const std::string& test_name, const std::string& executable);

// Tells Bazel the test binary supports sharding (touches
// TEST_SHARD_STATUS_FILE) and hides GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX
// from GoogleTest, so that every test runs in every shard and the harness
// splits seeds instead. Idempotent; the harness calls it before main().
void TakeOverSharding();

}  // namespace scheduler::internal

#endif  // TESTING_INTERNAL_HARNESS_ENV_H_
