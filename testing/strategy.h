// Strategy: how the TestScheduler picks the next runnable task.
//
// Sampling strategies, driven by the seed:
//   kRandom      uniformly among the candidates at every step (the default).
//   kPct         Probabilistic Concurrency Testing (Burckhardt, Kothari,
//                Musuvathi, Nagarakatte, ASPLOS 2010): every task gets a
//                random priority when first seen, the highest-priority
//                candidate always runs, and at d-1 random steps in [1, k] the
//                running task drops to a priority below all others. A bug that
//                needs d ordering constraints among n tasks within k steps is
//                hit by one run with probability >= 1 / (n * k^(d-1)), far
//                better than uniform random for bugs that need a task to be
//                starved for a long stretch. Not fair: a high-priority task
//                spinning on `co_await Yield()` can starve the task it waits for.
//   kFairRandom  uniform random, except that a task passed over
//                `fairness_bound` choices in a row runs next: no task, however
//                much others spin, waits longer than bound + n - 1 choices.
//                For tests with spin loops; costs nothing on bugs that need
//                less starvation than the bound.
//
// Strategies whose choices come from a ScheduleChooser given in
// TestSchedulerConfig::chooser (schedule_chooser.h):
//   kExhaustive  one run of a bounded depth-first search over all schedules
//                (exhaustive.h; the harness drives it).
//   kReplay      a recorded or shrunk Schedule (replay_chooser.h).
//   kFuzz        choices read from fuzzer-provided bytes (byte_chooser.h).
//
// Under every strategy, foreground tasks of one session stay FIFO and
// deprioritized labels run only when nothing else can. The strategies draw
// from a schedule stream of their own, never from the data stream behind
// TestScheduler::Rng(), so any run can be replayed from its Schedule
// (schedule.h) with the same data.
#ifndef TESTING_STRATEGY_H_
#define TESTING_STRATEGY_H_

#include <optional>
#include <string_view>

namespace scheduler {

enum class Strategy { kRandom, kPct, kFairRandom, kExhaustive, kReplay, kFuzz };

// "random", "pct", "fair_random", "exhaustive", "replay", "fuzz".
const char* StrategyName(Strategy strategy);
// Inverse of StrategyName; nullopt for anything else.
std::optional<Strategy> ParseStrategy(std::string_view name);
// Whether the strategy takes its choices from TestSchedulerConfig::chooser.
bool NeedsChooser(Strategy strategy);

}  // namespace scheduler

#endif  // TESTING_STRATEGY_H_
