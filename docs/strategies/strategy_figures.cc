// The figures of docs/STRATEGIES.md: for each planted bug, how many runs each
// strategy needs to first expose it, and how far shrinking simplifies the
// failing schedule. Everything is seeded, so the output is the same on every
// run and machine.
//
//   bazel run -c opt //docs/strategies:strategy_figures            (all bugs)
//   bazel run -c opt //docs/strategies:strategy_figures -- depth3  (one bug)
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cloud_integration/worker_simulation_lib.h"
#include "gpui_integration/examples/search_box.h"
#include "gpui_integration/foreground_executor.h"
#include "testing/byte_chooser.h"
#include "testing/exhaustive.h"
#include "testing/rng.h"
#include "testing/shrink.h"
#include "testing/test_scheduler.h"
#include "testing/tests/planted_bugs.h"

namespace scheduler {
namespace {

// Runs per strategy before giving up on a bug.
constexpr uint64_t kBudget = 200000;

// One run of a planted bug's program under `config`: whether it failed, and
// the schedule it ran.
using Program = std::function<ReplayOutcome(const TestSchedulerConfig& config)>;

struct Bug {
  std::string name;
  std::string description;
  int pct_depth;  // the bug's depth, given to PCT
  Program run;
};

// A program written against a TestScheduler we create.
Program OnScheduler(bool (*shows)(const std::shared_ptr<TestScheduler>&)) {
  return [shows](const TestSchedulerConfig& config) {
    TestSchedulerConfig recorded = config;
    recorded.record_schedule = true;
    auto scheduler = TestScheduler::Create(std::move(recorded));
    const bool failed = shows(scheduler);
    ReplayOutcome outcome = OutcomeOf(*scheduler, failed);
    scheduler->Shutdown();
    return outcome;
  };
}

// --- The search box's stale result (gpui_integration/examples). ------------
// The user submits "s", "se", "sea" with seeded pauses; the buggy box shows
// whichever search finishes last. Deprioritizing the searches makes them
// pile up (search_box_test.cc's trick); without it the race is rarer.

std::shared_ptr<const std::vector<std::string>> Words() {
  static const auto* words = [] {
    auto* w = new std::vector<std::string>;
    const char* stems[] = {"sea", "se", "s", "t", "seal", "search"};
    for (int i = 0; i < 1200; ++i) w->push_back(stems[i % 6] + std::to_string(i));
    return w;
  }();
  return std::shared_ptr<const std::vector<std::string>>(words, [](auto*) {});
}

Future<void> SubmitThree(gpui::ForegroundExecutor foreground, gpui_example::SearchBox* box) {
  for (const char* text : {"s", "se", "sea"}) {
    box->OnKeystroke(text);
    box->Submit();
    co_await foreground.SimulateRandomDelay();
  }
}

bool SearchBoxShowsAStaleResult(const std::shared_ptr<TestScheduler>& scheduler,
                                bool deprioritize) {
  gpui::ForegroundExecutor foreground(scheduler);
  if (deprioritize) foreground.Deprioritize(gpui_example::SearchBox::SearchLabel());
  gpui_example::SearchBox box(foreground, gpui_example::PrefixSearch(Words(), 1000),
                              {.stale_result_bug = true});
  Task<void> user = foreground.Spawn(SubmitThree(foreground, &box));
  foreground.RunUntilParked();
  return box.shown_query() != "sea";
}

bool SearchBoxDeprioritized(const std::shared_ptr<TestScheduler>& scheduler) {
  return SearchBoxShowsAStaleResult(scheduler, true);
}

bool SearchBoxPlain(const std::shared_ptr<TestScheduler>& scheduler) {
  return SearchBoxShowsAStaleResult(scheduler, false);
}

// --- The worker simulation's leaked cache write (cloud_integration). --------

ReplayOutcome WorkerLeaks(const TestSchedulerConfig& config) {
  cloud::SimulationOptions options;
  options.scheduler = config;
  options.scheduler.record_schedule = true;
  const cloud::SeedReport report = cloud::SimulateSeed(config.seed, options);
  return OutcomeOf(report.schedule, report.schedule_stats, !report.ok());
}

std::vector<Bug> Bugs() {
  return {
      {"depth2", "depth-2 bug of testing/tests/strategy_test.cc (2 tasks, 17 steps)", 2,
       OnScheduler(planted::DepthTwoBugShows)},
      {"depth3", "NEW depth-3 stale cache fill (planted_bugs.h; 2 tasks, 18 steps)", 3,
       OnScheduler(planted::DepthThreeBugShows)},
      {"search_box", "search box's stale result (gpui_integration; searches deprioritized)", 2,
       OnScheduler(SearchBoxDeprioritized)},
      {"search_box_plain", "the same race without deprioritizing the searches", 2,
       OnScheduler(SearchBoxPlain)},
      {"worker", "worker simulation's leaked cache write (cloud_integration; 8 requests)", 2,
       WorkerLeaks},
  };
}

// Seeded figures are means over this many starting points, so that one lucky
// seed does not make a strategy look good.
constexpr uint64_t kBases = 8;
uint64_t Base(uint64_t b) { return b * 1000003; }

// "123.4", or "not in <budget>" if some starting point hit the budget.
std::string Mean(const std::vector<std::optional<uint64_t>>& runs) {
  double sum = 0;
  for (const std::optional<uint64_t>& r : runs) {
    if (!r.has_value()) return absl::StrCat("not in ", kBudget);
    sum += static_cast<double>(*r);
  }
  return absl::StrFormat("%.1f", sum / static_cast<double>(runs.size()));
}

// Seeds base, base + 1, ... under a seeded strategy: the number of runs up to
// and including the first failing one; its schedule goes to `failing`.
std::optional<uint64_t> SeedsToFailure(const Bug& bug, TestSchedulerConfig config, uint64_t base,
                                       Schedule* failing = nullptr) {
  for (uint64_t i = 0; i < kBudget; ++i) {
    config.seed = base + i;
    ReplayOutcome outcome = bug.run(config);
    if (outcome.failed) {
      // The full schedule: OutcomeOf cuts nothing under random (no stats).
      if (failing != nullptr) *failing = outcome.schedule;
      return i + 1;
    }
  }
  return std::nullopt;
}

std::string MeanSeedsToFailure(const Bug& bug, const TestSchedulerConfig& config) {
  std::vector<std::optional<uint64_t>> runs;
  for (uint64_t b = 0; b < kBases; ++b) runs.push_back(SeedsToFailure(bug, config, Base(b)));
  return Mean(runs);
}

// The steps of a run under the non-preemptive default: PCT's k.
uint64_t StepsOfOneRun(const Bug& bug) {
  TestSchedulerConfig config{.seed = 0, .record_schedule = true};
  return std::max<uint64_t>(1, bug.run(config).schedule.steps.size());
}

// Exhaustive search: bounds 0..3 on data seed 0; if none finds it, data
// seeds 0, 1, ... at bound 0 (a bug that needs data, not an interleaving).
std::string Exhaustive(const Bug& bug) {
  std::string misses;
  for (int bound = 0; bound <= 3; ++bound) {
    ExhaustiveSearch search({.preemption_bound = bound, .max_schedules = kBudget});
    bool found = false;
    while (std::shared_ptr<ScheduleChooser> chooser = search.NextSchedule()) {
      if (bug.run({.seed = 0, .strategy = Strategy::kExhaustive, .chooser = chooser}).failed) {
        found = true;
        break;
      }
    }
    if (found) {
      return absl::StrCat(search.schedules_run(), " at bound ", bound, misses);
    }
    if (!search.exhausted()) return absl::StrCat("not exhausted at bound ", bound, misses);
    absl::StrAppend(&misses, "; bound ", bound, " exhausted in ", search.schedules_run());
  }
  uint64_t total = 0;
  for (uint64_t seed = 0; total < kBudget; ++seed) {
    ExhaustiveSearch search({.preemption_bound = 0, .max_schedules = kBudget});
    while (std::shared_ptr<ScheduleChooser> chooser = search.NextSchedule()) {
      ++total;
      if (bug.run({.seed = seed, .strategy = Strategy::kExhaustive, .chooser = chooser}).failed) {
        return absl::StrCat(total, " at bound 0, data seed ", seed, misses);
      }
    }
  }
  return absl::StrCat("not in ", kBudget, misses);
}

// Fuzz-driven: a seeded, in-process stand-in for AFL++'s havoc stage over
// the same input the fuzz driver reads: two bytes of data seed, then
// ByteChooser's schedule bytes. An input that shows a task switch (a pair of
// consecutive tasks) at a step range no earlier input did joins the corpus,
// as new edge coverage would under AFL++.
std::optional<uint64_t> FuzzToFailure(const Bug& bug, uint64_t mutator_seed) {
  Rng rng(mutator_seed);
  std::vector<std::vector<uint8_t>> corpus = {{0, 0}};
  absl::flat_hash_set<uint64_t> coverage;
  for (uint64_t execs = 1; execs <= kBudget; ++execs) {
    std::vector<uint8_t> input = corpus[rng.Below(corpus.size())];
    const uint64_t mutations = 1 + rng.Below(4);
    for (uint64_t m = 0; m < mutations; ++m) {
      const auto at = [&] { return static_cast<ptrdiff_t>(rng.Below(input.size())); };
      switch (rng.Below(5)) {
        case 0:  // flip a bit
          input[at()] ^= static_cast<uint8_t>(1u << rng.Below(8));
          break;
        case 1:  // a random byte
          input[at()] = static_cast<uint8_t>(rng.Next());
          break;
        case 2:  // insert random bytes
          input.insert(input.begin() + at(), 1 + rng.Below(8), static_cast<uint8_t>(rng.Next()));
          break;
        case 3:  // delete a byte (keeping the seed's two)
          if (input.size() > 2) input.erase(input.begin() + 2 + rng.Below(input.size() - 2));
          break;
        case 4:  // an interesting value
          input[at()] = std::vector<uint8_t>{0, 1, 2, 0x7f, 0x80, 0xff}[rng.Below(6)];
          break;
      }
    }
    const uint64_t seed = uint64_t{input[0]} << 8 | input[1];
    ReplayOutcome outcome = bug.run({.seed = seed,
                                     .strategy = Strategy::kFuzz,
                                     .chooser = std::make_shared<ByteChooser>(
                                         std::vector<uint8_t>(input.begin() + 2, input.end()))});
    if (outcome.failed) return execs;
    bool fresh = false;
    // The switches of the run's explicit part (where the bytes decided).
    const std::vector<TaskId>& steps = outcome.schedule.steps;
    for (size_t i = 1; i < steps.size(); ++i) {
      uint64_t bucket = 0;
      while ((uint64_t{1} << bucket) < i) ++bucket;
      const uint64_t edge = steps[i - 1].value() * 1000003 + steps[i].value() * 131 + bucket;
      fresh |= coverage.insert(edge).second;
    }
    if (fresh) corpus.push_back(std::move(input));
  }
  return std::nullopt;
}

void Figures(const Bug& bug) {
  std::fprintf(stderr, "measuring %s ...\n", bug.name.c_str());
  const uint64_t k = StepsOfOneRun(bug);
  const std::string random = MeanSeedsToFailure(bug, {});
  const std::string pct = MeanSeedsToFailure(
      bug, {.strategy = Strategy::kPct, .pct_depth = bug.pct_depth, .pct_max_steps = k});
  const std::string fair = MeanSeedsToFailure(bug, {.strategy = Strategy::kFairRandom});
  const std::string exhaustive = Exhaustive(bug);
  std::vector<std::optional<uint64_t>> fuzz_runs;
  for (uint64_t b = 0; b < kBases; ++b) fuzz_runs.push_back(FuzzToFailure(bug, Base(b)));
  const std::string fuzz = Mean(fuzz_runs);
  // Shrinking starts from the first failing seed of uniform random.
  std::string shrunk = "-";
  Schedule failing;
  if (SeedsToFailure(bug, {}, 0, &failing).has_value()) {
    const ShrinkResult r = ShrinkSchedule(
        failing, [&](const Schedule& schedule) { return bug.run(ReplayConfig(schedule)); });
    shrunk =
        r.reproduced
            ? absl::StrCat(r.original_stats.explicit_steps, " / ", r.original_stats.preemptions,
                           " -> ", r.shrunk_stats.explicit_steps, " / ", r.shrunk_stats.preemptions,
                           " (`", r.shrunk.ToString(), "`, ", r.runs, " replays)")
            : "did not replay";
  }
  std::printf("| %s | %s | %s | %s (d=%d, k=%llu) | %s | %s | %s | %s |\n", bug.name.c_str(),
              bug.description.c_str(), random.c_str(), pct.c_str(), bug.pct_depth,
              static_cast<unsigned long long>(k), fair.c_str(), exhaustive.c_str(), fuzz.c_str(),
              shrunk.c_str());
  std::fflush(stdout);
}

}  // namespace
}  // namespace scheduler

int main(int argc, char** argv) {
  std::printf(
      "| bug | what | random (runs) | PCT (runs) | fair random (runs) | exhaustive "
      "(schedules) | fuzz-driven (runs) | shrinking (explicit steps / preemptions) |\n"
      "|---|---|---|---|---|---|---|---|\n");
  for (const scheduler::Bug& bug : scheduler::Bugs()) {
    if (argc > 1 && bug.name != argv[1]) continue;
    scheduler::Figures(bug);
  }
  return 0;
}
