// worker_simulation: runs the example Cloud worker (example_worker.h) under
// the deterministic TestScheduler across many seeds, validates every request
// session's cleanup, and reports each failing seed with the unauthorized
// task's spawn location and a replay command.
//
//   bazel run //cloud_integration:worker_simulation                # 200 seeds
//   bazel run //cloud_integration:worker_simulation -- --seed=17   # replay one
//   bazel run //cloud_integration:worker_simulation -- --fix_bug   # all pass
//   bazel run //cloud_integration:worker_simulation -- --trace_out=/tmp/t
//   bazel run //cloud_integration:worker_simulation -- --real      # production
//
// Exit status: 0 if every seed passed, 1 if any failed, 2 on bad flags.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cloud_integration/worker_simulation_lib.h"
#include "gflags/gflags.h"

DEFINE_int32(seeds, 200, "Number of seeds to simulate, starting at --first_seed.");
DEFINE_uint64(first_seed, 0, "First seed of the sweep.");
DEFINE_int64(seed, -1, "Run exactly this seed (overrides --seeds); prints every failure in full.");
DEFINE_int32(requests, 8, "Requests per seed.");
DEFINE_string(trace_out, "",
              "If set, the first failing seed's traces are written to <trace_out>.trace.json "
              "(TestScheduler steps, Chrome trace format), .svg, .html, and .sessions.json "
              "(request sessions). A trailing .json is dropped from the prefix.");
DEFINE_bool(fix_bug, false, "Run the worker with its planted bug fixed.");
DEFINE_bool(real, false, "Run the same worker on the production dispatcher instead.");

namespace cloud {
namespace {

// A sweep prints the first unauthorized task of each failure (the one that
// leaked; the others are what it is waiting on); a replay (--seed) prints the
// validation message in full.
void PrintFailure(const SeedReport& report, const SessionFailure& failure, bool full) {
  std::vector<std::string> lines = absl::StrSplit(failure.message, '\n');
  const size_t tasks = lines.size() - 1;
  std::printf(
      "seed %llu: %s (session#%llu) left %zu unauthorized task%s running after its "
      "response\n",
      static_cast<unsigned long long>(report.seed), failure.request.c_str(),
      static_cast<unsigned long long>(failure.session.value()), tasks, tasks == 1 ? "" : "s");
  if (full) {
    for (const std::string& line : lines) std::printf("  %s\n", line.c_str());
    return;
  }
  if (tasks >= 1) std::printf("  %s\n", lines[1].c_str());
  if (tasks >= 2) {
    std::printf("    ... and %zu task%s it is waiting on (the replay shows all)\n", tasks - 1,
                tasks == 2 ? "" : "s");
  }
}

int RunSimulation(const SimulationOptions& base) {
  SimulationOptions options = base;
  const bool single = FLAGS_seed >= 0;
  const uint64_t first = single ? static_cast<uint64_t>(FLAGS_seed) : FLAGS_first_seed;
  const int count = single ? 1 : FLAGS_seeds;
  std::printf(
      "worker_simulation: %d seed%s x %d requests under the TestScheduler, planted bug %s\n", count,
      count == 1 ? "" : "s", options.requests_per_seed,
      options.fix_bug ? "fixed (--fix_bug)" : "present");
  int sessions = 0, failed_seeds = 0, failed_sessions = 0;
  std::string trace_note;
  for (int i = 0; i < count; ++i) {
    const uint64_t seed = first + static_cast<uint64_t>(i);
    SeedReport report = SimulateSeed(seed, options);
    sessions += report.sessions_validated;
    if (report.ok()) continue;
    ++failed_seeds;
    failed_sessions += static_cast<int>(report.failures.size());
    for (const SessionFailure& failure : report.failures) PrintFailure(report, failure, single);
    if (!report.error.empty()) {
      std::printf("seed %llu: simulation error: %s\n", static_cast<unsigned long long>(seed),
                  report.error.c_str());
    }
    std::printf("  replay: %s\n", ReplayCommand(seed, options).c_str());
    if (!report.trace_files.empty()) {
      trace_note = absl::StrCat("trace of seed ", seed, " written to ",
                                absl::StrJoin(report.trace_files, ", "));
      options.trace_prefix.clear();  // only the first failing seed
    }
  }
  std::printf("validated %d sessions in %d seed%s: %d seed%s failed (%d session%s)\n", sessions,
              count, count == 1 ? "" : "s", failed_seeds, failed_seeds == 1 ? "" : "s",
              failed_sessions, failed_sessions == 1 ? "" : "s");
  if (!trace_note.empty()) {
    std::printf("%s\n", trace_note.c_str());
  } else if (failed_seeds > 0 && base.trace_prefix.empty()) {
    std::printf("pass --trace_out=PREFIX to write the first failing seed's trace\n");
  }
  return failed_seeds == 0 ? 0 : 1;
}

int RunReal(const SimulationOptions& options) {
  const bool single = FLAGS_seed >= 0;
  const uint64_t first = single ? static_cast<uint64_t>(FLAGS_seed) : FLAGS_first_seed;
  const int count = single ? 1 : FLAGS_seeds;
  std::printf(
      "worker_simulation --real: %d batch%s x %d requests on the production dispatcher, "
      "planted bug %s\n",
      count, count == 1 ? "" : "es", options.requests_per_seed,
      options.fix_bug ? "fixed (--fix_bug)" : "present");
  DispatcherReport report = RunOnDispatcher(first, count, options);
  std::printf(
      "finished %llu requests in %.2fs (%d worker threads): %llu handler errors; "
      "wait-until work: %llu registered, %llu failed\n",
      static_cast<unsigned long long>(report.requests_finished), report.seconds,
      report.worker_threads, static_cast<unsigned long long>(report.handler_errors),
      static_cast<unsigned long long>(report.wait_until_registered),
      static_cast<unsigned long long>(report.wait_until_failed));
  std::printf(
      "%llu cache write%s still running after every request of its batch had finished "
      "(work the runtime never waited for)%s\n",
      static_cast<unsigned long long>(report.writes_outliving_requests),
      report.writes_outliving_requests == 1 ? " was" : "s were",
      report.writes_outliving_requests == 0
          ? ""
          : "; production cannot say where they came from: run the simulation without "
            "--real to find the line");
  return report.writes_outliving_requests == 0 && report.wait_until_failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace cloud

int main(int argc, char** argv) {
  gflags::SetUsageMessage("Simulates the example Cloud worker and validates request cleanup.");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  if (FLAGS_seeds < 1 || FLAGS_requests < 1) {
    std::fprintf(stderr, "--seeds and --requests must be at least 1\n");
    return 2;
  }
  cloud::SimulationOptions options;
  options.fix_bug = FLAGS_fix_bug;
  options.requests_per_seed = FLAGS_requests;
  options.trace_prefix = FLAGS_trace_out;
  if (absl::EndsWith(options.trace_prefix, ".json")) {
    options.trace_prefix.resize(options.trace_prefix.size() - 5);
  }
  // `bazel run` starts us in the runfiles tree; relative paths are meant from
  // where the user typed the command.
  const char* user_dir = std::getenv("BUILD_WORKING_DIRECTORY");
  if (!options.trace_prefix.empty() && options.trace_prefix[0] != '/' && user_dir != nullptr) {
    options.trace_prefix = absl::StrCat(user_dir, "/", options.trace_prefix);
  }
  return FLAGS_real ? cloud::RunReal(options) : cloud::RunSimulation(options);
}
