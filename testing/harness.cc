#include "testing/harness.h"

#include <unistd.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest-spi.h"
#include "testing/internal/harness_env.h"
#include "testing/trace.h"

namespace scheduler {
namespace {

// Before main(): GoogleTest reads its shard variables in RUN_ALL_TESTS.
const bool kShardingTakenOver = [] {
  internal::TakeOverSharding();
  return true;
}();

// Thrown by the TestScheduler's on_failure; caught around the body.
class SchedulerFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string Executable() {
  std::error_code error;
  std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string("<test binary>") : path.string();
}

struct RunResult {
  bool failed = false;
  uint64_t trace_hash = 0;
  std::vector<TraceEvent> events;
};

// Runs `body` once. The GoogleTest results of this thread are intercepted
// and reported again with `context` (the seed and the replay line) appended.
// That is also how we learn that this run failed: Test::HasFailure() misses
// results that an enclosing EXPECT_NONFATAL_FAILURE intercepts. Results from
// other threads the body starts are not intercepted: they fail the test, but
// the harness cannot name their seed.
RunResult RunOnce(uint64_t seed, const SchedulerTestOptions& options, SchedulerTestBody body,
                  bool record_trace, const std::string& trace_out, const std::string& context) {
  std::shared_ptr<TestScheduler> scheduler = TestScheduler::Create({
      .seed = seed,
      .block_on_ticks_min = options.block_on_ticks_min,
      .block_on_ticks_max = options.block_on_ticks_max,
      .allow_parking = options.allow_parking,
      .on_failure = [](const std::string& report) { throw SchedulerFailure(report); },
      .strategy = options.strategy,
      .pct_depth = options.pct_depth,
      .pct_max_steps = options.pct_max_steps,
      .record_trace = record_trace,
      .trace_out = trace_out,
  });
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter intercept(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    try {
      body(scheduler);
      scheduler->CheckFailures();
    } catch (const SchedulerFailure& failure) {
      ADD_FAILURE() << failure.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "exception escaped the test body: " << e.what();
    } catch (...) {
      ADD_FAILURE() << "a non-std::exception escaped the test body";
    }
  }
  RunResult result;
  for (int i = 0; i < results.size(); ++i) {
    const ::testing::TestPartResult& part = results.GetTestPartResult(i);
    if (part.type() == ::testing::TestPartResult::kSuccess) continue;
    result.failed |= part.failed();
    const std::string message =
        part.failed() ? absl::StrCat(part.message(), "\n", context) : part.message();
    ::testing::internal::AssertHelper(part.type(), part.file_name(), part.line_number(),
                                      message.c_str()) = ::testing::Message();
  }
  result.trace_hash = scheduler->trace_hash();
  if (record_trace) result.events = scheduler->trace().events();
  scheduler->Shutdown();
  return result;
}

std::string DivergenceReport(uint64_t seed, const RunResult& first, const RunResult& second) {
  const std::optional<size_t> at = FirstDivergence(first.events, second.events);
  if (!at.has_value()) {
    return absl::StrCat("seed ", seed, ": the trace hashes differ (", first.trace_hash, " vs ",
                        second.trace_hash, ") but the events are equal");
  }
  auto describe = [&](const std::vector<TraceEvent>& events) {
    return *at < events.size() ? DescribeEvent(events[*at]) : std::string("(run ended)");
  };
  return absl::StrCat(
      "seed ", seed, " is not deterministic: two runs diverged at trace event #", *at + 1,
      "\n  first run:  ", describe(first.events), "\n  second run: ", describe(second.events),
      "\nLook for state that outlives a run (globals, statics, caches), real time, real "
      "threads, or iteration over unordered containers deciding what to spawn or wake.");
}

}  // namespace

void RunSchedulerTest(const char* test_name, const SchedulerTestOptions& options,
                      SchedulerTestBody body) {
  (void)kShardingTakenOver;
  const internal::EnvLookup env = internal::ProcessEnv();
  const absl::StatusOr<internal::SeedPlan> plan =
      internal::MakeSeedPlan(env, options.seed.value_or(0), options.iterations);
  if (!plan.ok()) {
    ADD_FAILURE() << "SCHEDULER_TEST " << test_name << ": " << plan.status().message();
    return;
  }
  const bool check_determinism = options.check_determinism || plan->debug_divergence;
  const std::string executable = Executable();
  uint64_t ran = 0;
  plan->ForEachSeed([&](uint64_t seed) {
    const std::string replay = internal::ReplayCommand(env, seed, test_name, executable);
    const std::string context = absl::StrCat("seed ", seed, "; replay with: ", replay);
    const std::string trace_out =
        plan->trace_dir.empty() ? std::string()
                                : absl::StrCat(plan->trace_dir, "/", test_name, ".seed", seed);
    ++ran;
    RunResult first = RunOnce(seed, options, body, check_determinism, trace_out, context);
    bool failed = first.failed;
    if (!failed && check_determinism) {
      RunResult second = RunOnce(seed, options, body, true, std::string(), context);
      failed = second.failed;
      if (!failed && second.trace_hash != first.trace_hash) {
        ADD_FAILURE() << DivergenceReport(seed, first, second) << "\n" << context;
        failed = true;
      }
    }
    if (failed) {
      std::fprintf(stderr, "[ SCHEDULER] %s failed with seed %llu. Replay it with:\n%s\n",
                   test_name, static_cast<unsigned long long>(seed), replay.c_str());
      std::fflush(stderr);
      return false;
    }
    return true;
  });
  ::testing::Test::RecordProperty("scheduler_seeds_run", static_cast<int>(ran));
}

}  // namespace scheduler
