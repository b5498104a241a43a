#include "testing/internal/harness_env.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace scheduler::internal {
namespace {

absl::Status Invalid(const char* name, const char* value, const char* expected) {
  return absl::InvalidArgumentError(
      absl::StrCat(name, " must be ", expected, ", got \"", value, "\""));
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const char* name) -> const char* { return std::getenv(name); };
}

uint64_t SeedPlan::SeedsInShard() const {
  if (shard_index >= iterations) return 0;
  return (iterations - shard_index + shard_count - 1) / shard_count;
}

void SeedPlan::ForEachSeed(const std::function<bool(uint64_t seed)>& fn) const {
  for (uint64_t i = shard_index; i < iterations; i += shard_count) {
    if (!fn(first_seed + i)) return;
    if (iterations - i <= shard_count) return;  // i + shard_count would pass the end
  }
}

absl::StatusOr<uint64_t> ParseUnsigned(const char* name, const char* value) {
  uint64_t parsed = 0;
  // SimpleAtoi accepts surrounding whitespace and a sign; we accept digits only.
  const bool digits_only =
      value[0] != '\0' && std::strspn(value, "0123456789") == std::strlen(value);
  if (!digits_only || !absl::SimpleAtoi(value, &parsed)) {
    return Invalid(name, value, "a non-negative decimal integer below 2^64");
  }
  return parsed;
}

absl::StatusOr<bool> ParseBool(const char* name, const char* value) {
  for (const char* yes : {"1", "true", "yes"}) {
    if (std::strcmp(value, yes) == 0) return true;
  }
  for (const char* no : {"0", "false", "no", ""}) {
    if (std::strcmp(value, no) == 0) return false;
  }
  return Invalid(name, value, "1/true/yes or 0/false/no");
}

absl::StatusOr<SeedPlan> MakeSeedPlan(const EnvLookup& env, uint64_t default_seed,
                                      uint64_t default_iterations) {
  SeedPlan plan;
  plan.first_seed = default_seed;
  plan.iterations = default_iterations;
  if (const char* v = env("SEED")) {
    absl::StatusOr<uint64_t> seed = ParseUnsigned("SEED", v);
    if (!seed.ok()) return seed.status();
    plan.first_seed = *seed;
  }
  if (const char* v = env("ITERATIONS")) {
    absl::StatusOr<uint64_t> iterations = ParseUnsigned("ITERATIONS", v);
    if (!iterations.ok()) return iterations.status();
    if (*iterations == 0) return Invalid("ITERATIONS", v, "at least 1");
    plan.iterations = *iterations;
  }
  if (plan.iterations == 0) return absl::InvalidArgumentError("the iterations option must be >= 1");
  if (plan.iterations - 1 > std::numeric_limits<uint64_t>::max() - plan.first_seed) {
    return absl::InvalidArgumentError(absl::StrCat("SEED ", plan.first_seed, " + ITERATIONS ",
                                                   plan.iterations, " overflows 64 bits"));
  }
  const char* total = env("TEST_TOTAL_SHARDS");
  const char* index = env("TEST_SHARD_INDEX");
  if (total != nullptr && total[0] != '\0') {
    absl::StatusOr<uint64_t> count = ParseUnsigned("TEST_TOTAL_SHARDS", total);
    if (!count.ok()) return count.status();
    if (*count == 0) return Invalid("TEST_TOTAL_SHARDS", total, "at least 1");
    if (index == nullptr) {
      return absl::InvalidArgumentError("TEST_TOTAL_SHARDS is set but TEST_SHARD_INDEX is not");
    }
    absl::StatusOr<uint64_t> shard = ParseUnsigned("TEST_SHARD_INDEX", index);
    if (!shard.ok()) return shard.status();
    if (*shard >= *count) {
      return Invalid("TEST_SHARD_INDEX", index, "below TEST_TOTAL_SHARDS");
    }
    plan.shard_count = *count;
    plan.shard_index = *shard;
  }
  if (const char* v = env("SCHEDULER_DEBUG_DIVERGENCE")) {
    absl::StatusOr<bool> debug = ParseBool("SCHEDULER_DEBUG_DIVERGENCE", v);
    if (!debug.ok()) return debug.status();
    plan.debug_divergence = *debug;
  }
  if (const char* v = env("SCHEDULER_TRACE_OUT")) plan.trace_dir = v;
  if (const char* v = env("SCHEDULE"); v != nullptr && v[0] != '\0') {
    absl::StatusOr<Schedule> schedule = Schedule::Parse(v);
    if (!schedule.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("SCHEDULE: ", schedule.status().message()));
    }
    plan.schedule = *std::move(schedule);
  }
  return plan;
}

namespace {

// `vars` is "NAME=value" settings separated by spaces.
std::string Command(const EnvLookup& env, const std::vector<std::string>& vars,
                    const std::string& test_name, const std::string& executable) {
  // `bazel test` does not pass the client's environment to tests, hence
  // --test_env rather than a `SEED=...` prefix.
  if (const char* target = env("TEST_TARGET"); target != nullptr && target[0] != '\0') {
    std::string out = absl::StrCat("bazel test ", target);
    for (const std::string& var : vars) absl::StrAppend(&out, " --test_env=", var);
    return absl::StrCat(out, " --test_filter=", test_name);
  }
  std::string out;
  for (const std::string& var : vars) absl::StrAppend(&out, var, " ");
  return absl::StrCat(out, executable, " --gtest_filter=", test_name);
}

}  // namespace

std::string ReplayCommand(const EnvLookup& env, uint64_t seed, const std::string& test_name,
                          const std::string& executable) {
  return Command(env, {absl::StrCat("SEED=", seed), "ITERATIONS=1"}, test_name, executable);
}

std::string ReplayCommand(const EnvLookup& env, const Schedule& schedule,
                          const std::string& test_name, const std::string& executable) {
  return Command(env, {"SCHEDULE=" + schedule.ToString()}, test_name, executable);
}

void TakeOverSharding() {
  const char* total = std::getenv("TEST_TOTAL_SHARDS");
  if (total == nullptr || total[0] == '\0') return;
#ifdef _WIN32
  // No unsetenv in the Windows CRT; "NAME=" removes the variable.
  _putenv("GTEST_TOTAL_SHARDS=");
  _putenv("GTEST_SHARD_INDEX=");
#else
  ::unsetenv("GTEST_TOTAL_SHARDS");
  ::unsetenv("GTEST_SHARD_INDEX");
#endif
  if (const char* status_file = std::getenv("TEST_SHARD_STATUS_FILE")) {
    if (std::FILE* f = std::fopen(status_file, "a")) std::fclose(f);
  }
}

}  // namespace scheduler::internal
