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
#include "testing/exhaustive.h"
#include "testing/internal/harness_env.h"
#include "testing/replay_chooser.h"
#include "testing/shrink.h"
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

// A schedule string longer than this is not put in failure messages (the
// shrunk one, printed after, is short).
constexpr size_t kLongestScheduleShown = 2000;

std::string Executable() {
  std::error_code error;
  std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string("<test binary>") : path.string();
}

void Print(const std::string& text) {
  std::fprintf(stderr, "%s\n", text.c_str());
  std::fflush(stderr);
}

struct RunResult {
  bool failed = false;
  // "file:line" of the first failure: what a shrunk schedule must still hit.
  std::string failure_site;
  // This thread's GoogleTest results, held back so that they can be reported
  // with the run's context (or dropped, for the replays of shrinking).
  std::vector<::testing::TestPartResult> results;
  uint64_t trace_hash = 0;
  std::vector<TraceEvent> events;
  Schedule schedule;  // as recorded
  std::optional<ScheduleStats> stats;

  // The schedule to show: cut to its explicit steps where that is known.
  Schedule Shown() const { return OutcomeOf(schedule, stats, failed).schedule; }
};

TestSchedulerConfig BaseConfig(const SchedulerTestOptions& options) {
  return {.block_on_ticks_min = options.block_on_ticks_min,
          .block_on_ticks_max = options.block_on_ticks_max,
          .num_cpus = options.num_cpus,
          .allow_parking = options.allow_parking,
          .on_failure = [](const std::string& report) { throw SchedulerFailure(report); },
          .strategy = options.strategy,
          .randomize_order = options.randomize_order,
          .pct_depth = options.pct_depth,
          .pct_max_steps = options.pct_max_steps,
          .fairness_bound = options.fairness_bound,
          .record_schedule = true};
}

// Runs `body` once. The GoogleTest results of this thread are intercepted:
// that is also how we learn that this run failed, since Test::HasFailure()
// misses results that an enclosing EXPECT_NONFATAL_FAILURE intercepts.
// Results from other threads the body starts are not intercepted: they fail
// the test, but the harness cannot name their seed.
RunResult RunOnce(TestSchedulerConfig config, const internal::SchedulerTestFunction& body) {
  const bool keep_events = config.record_trace || !config.trace_out.empty();
  std::shared_ptr<TestScheduler> scheduler = TestScheduler::Create(std::move(config));
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
    if (part.failed() && !result.failed) {
      result.failed = true;
      result.failure_site =
          absl::StrCat(part.file_name() ? part.file_name() : "?", ":", part.line_number());
    }
    result.results.push_back(part);
  }
  result.trace_hash = scheduler->trace_hash();
  if (keep_events) result.events = scheduler->trace().events();
  result.schedule = scheduler->schedule();
  result.stats = scheduler->schedule_stats();
  scheduler->Shutdown();
  return result;
}

// Reports the held-back results, with `context` appended to failures.
void Report(const RunResult& result, const std::string& context) {
  for (const ::testing::TestPartResult& part : result.results) {
    const std::string message =
        part.failed() ? absl::StrCat(part.message(), "\n", context) : part.message();
    ::testing::internal::AssertHelper(part.type(), part.file_name(), part.line_number(),
                                      message.c_str()) = ::testing::Message();
  }
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

std::string StepsAndPreemptions(const Schedule& schedule, const ScheduleStats& stats) {
  return absl::StrCat(schedule.steps.size(), " steps, ", stats.preemptions, " preemption",
                      stats.preemptions == 1 ? "" : "s");
}

// One SCHEDULER_TEST: its name, options, body and environment.
class Runner {
 public:
  Runner(const char* test_name, const SchedulerTestOptions& options,
         const internal::SchedulerTestFunction& body, const internal::SeedDone& seed_done)
      : test_name_(test_name),
        options_(options),
        body_(body),
        seed_done_(seed_done),
        env_(internal::ProcessEnv()),
        executable_(Executable()) {}

  void Run() {
    const absl::StatusOr<internal::SeedPlan> plan =
        internal::MakeSeedPlan(env_, options_.seed.value_or(0), options_.iterations);
    if (!plan.ok()) {
      ADD_FAILURE() << "SCHEDULER_TEST " << test_name_ << ": " << plan.status().message();
      return;
    }
    if (plan->schedule.has_value()) {
      RunSchedule(*plan->schedule);
    } else if (NeedsChooser(options_.strategy) && options_.strategy != Strategy::kExhaustive) {
      ADD_FAILURE() << "SCHEDULER_TEST " << test_name_ << ": strategy "
                    << StrategyName(options_.strategy)
                    << " needs a chooser; replay a schedule with SCHEDULE=<schedule> instead";
    } else if (options_.strategy == Strategy::kExhaustive) {
      if (plan->shard_index == 0) RunExhaustive(plan->first_seed);
    } else {
      RunSeeds(*plan);
    }
  }

 private:
  std::string Command(const Schedule& schedule) const {
    return internal::ReplayCommand(env_, schedule, test_name_, executable_);
  }

  // "schedule: 17:1.2x14.1" (or its length, if too long to show).
  static std::string ScheduleLine(const Schedule& schedule) {
    const std::string text = schedule.ToString();
    if (text.size() <= kLongestScheduleShown) return "schedule: " + text;
    return absl::StrCat("schedule: ", schedule.steps.size(),
                        " steps, too long to show (the shrunk schedule is printed after the "
                        "test)");
  }

  void RunSeeds(const internal::SeedPlan& plan) {
    const bool check_determinism = options_.check_determinism || plan.debug_divergence;
    uint64_t ran = 0;
    plan.ForEachSeed([&](uint64_t seed) {
      const std::string replay = internal::ReplayCommand(env_, seed, test_name_, executable_);
      TestSchedulerConfig config = BaseConfig(options_);
      config.seed = seed;
      config.record_trace = check_determinism;
      if (!plan.trace_dir.empty()) {
        config.trace_out = absl::StrCat(plan.trace_dir, "/", test_name_, ".seed", seed);
      }
      ++ran;
      RunResult first = RunOnce(config, body_);
      Report(first, absl::StrCat("seed ", seed, "; replay with: ", replay, "\n",
                                 ScheduleLine(first.Shown())));
      bool failed = first.failed;
      if (!failed && check_determinism) {
        config.trace_out.clear();
        config.record_trace = true;
        RunResult second = RunOnce(config, body_);
        const std::string context = absl::StrCat("seed ", seed, "; replay with: ", replay);
        Report(second, context);
        failed = second.failed;
        if (!failed && second.trace_hash != first.trace_hash) {
          ADD_FAILURE() << DivergenceReport(seed, first, second) << "\n" << context;
          return false;  // nothing to shrink: the schedule does not replay
        }
      }
      if (seed_done_) seed_done_(seed, failed);
      if (!failed) return true;
      Print(absl::StrCat("[ SCHEDULER] ", test_name_, " failed with seed ", seed,
                         ". Replay it with:\n", replay));
      Print(absl::StrCat("[ SCHEDULER] ", ScheduleLine(first.Shown())));
      Shrink(first);
      return false;
    });
    ::testing::Test::RecordProperty("scheduler_seeds_run", static_cast<int>(ran));
  }

  void RunSchedule(const Schedule& schedule) {
    TestSchedulerConfig config = ReplayConfig(schedule, BaseConfig(options_));
    const auto* chooser = static_cast<const ReplayChooser*>(config.chooser.get());
    const std::shared_ptr<ScheduleChooser> keep = config.chooser;
    RunResult result = RunOnce(std::move(config), body_);
    if (seed_done_) seed_done_(schedule.seed, result.failed);
    Report(result,
           absl::StrCat("schedule ", schedule.ToString(), "; replay with: ", Command(schedule)));
    if (chooser->mismatches() > 0) {
      Print(absl::StrCat("[ SCHEDULER] warning: the schedule does not fit this test: at step ",
                         chooser->first_mismatch_step(), " (and ", chooser->mismatches() - 1,
                         " more) its task could not run, and the replay default took over"));
    }
    if (!result.failed) return;
    Print(absl::StrCat("[ SCHEDULER] ", test_name_, " failed with schedule ", schedule.ToString(),
                       ". Replay it with:\n", Command(schedule)));
    Shrink(result);
  }

  void RunExhaustive(uint64_t seed) {
    ExhaustiveSearch search(
        {.preemption_bound = options_.preemption_bound, .max_schedules = options_.max_schedules});
    bool failed = false;
    while (std::shared_ptr<ScheduleChooser> chooser = search.NextSchedule()) {
      TestSchedulerConfig config = BaseConfig(options_);
      config.seed = seed;
      config.chooser = std::move(chooser);
      RunResult result = RunOnce(std::move(config), body_);
      const Schedule shown = result.Shown();
      Report(result, absl::StrCat("exhaustive search, schedule #", search.schedules_run(),
                                  " (preemption bound ", options_.preemption_bound, "); ",
                                  ScheduleLine(shown), "\nreplay with: ", Command(shown)));
      if (result.failed) {
        Print(absl::StrCat("[ SCHEDULER] ", test_name_, " failed on schedule #",
                           search.schedules_run(), " of the exhaustive search. Replay it with:\n",
                           Command(shown)));
        Shrink(result);
        failed = true;
        break;
      }
    }
    if (!search.status().ok()) ADD_FAILURE() << search.status().message();
    const char* outcome = search.exhausted() ? "the space is exhausted"
                          : failed           ? "stopped at the first failure"
                          : search.status().ok()
                              ? "stopped at max_schedules: the space is NOT exhausted"
                              : "stopped: the test is not deterministic";
    Print(absl::StrCat("[ SCHEDULER] ", test_name_, ": exhaustive search with preemption bound ",
                       options_.preemption_bound, " ran ", search.schedules_run(), " schedules; ",
                       outcome));
    ::testing::Test::RecordProperty("scheduler_schedules_run",
                                    static_cast<int>(search.schedules_run()));
    ::testing::Test::RecordProperty("scheduler_space_exhausted", search.exhausted() ? 1 : 0);
  }

  // Shrinks the schedule of a failed run and prints the replay of the result.
  void Shrink(const RunResult& failed) {
    if (options_.shrink_runs == 0) return;
    const ReplayFunction replay = [&](const Schedule& schedule) {
      RunResult r = RunOnce(ReplayConfig(schedule, BaseConfig(options_)), body_);
      const bool same = r.failed && r.failure_site == failed.failure_site;
      return OutcomeOf(std::move(r.schedule), r.stats, same);
    };
    const ShrinkResult shrunk =
        ShrinkSchedule(failed.schedule, replay, {.max_runs = options_.shrink_runs});
    if (!shrunk.reproduced) {
      Print(absl::StrCat(
          "[ SCHEDULER] the schedule did not fail the same way on replay, so it was not shrunk: "
          "the failure depends on something the schedule does not capture (real threads, real "
          "time, state that outlives a run)"));
      return;
    }
    Print(absl::StrCat("[ SCHEDULER] shrunk the schedule from ",
                       StepsAndPreemptions(shrunk.original, shrunk.original_stats), " to ",
                       StepsAndPreemptions(shrunk.shrunk, shrunk.shrunk_stats), " (", shrunk.runs,
                       " replays), still failing at ", failed.failure_site, ". Replay it with:\n",
                       Command(shrunk.shrunk)));
  }

  const char* const test_name_;
  const SchedulerTestOptions& options_;
  const internal::SchedulerTestFunction& body_;
  const internal::SeedDone& seed_done_;
  const internal::EnvLookup env_;
  const std::string executable_;
};

}  // namespace

void RunSchedulerTest(const char* test_name, const SchedulerTestOptions& options,
                      SchedulerTestBody body) {
  internal::RunSchedulerFunction(test_name, options, body, nullptr);
}

namespace internal {

void RunSchedulerFunction(const char* test_name, const SchedulerTestOptions& options,
                          const SchedulerTestFunction& body, const SeedDone& seed_done) {
  (void)kShardingTakenOver;
  Runner(test_name, options, body, seed_done).Run();
}

std::string CurrentTestName() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "scheduler_values";
  return absl::StrCat(info->test_suite_name(), ".", info->name());
}

}  // namespace internal

}  // namespace scheduler
