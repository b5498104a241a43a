#include "testing/shrink.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "testing/replay_chooser.h"

namespace scheduler {
namespace {

bool Simpler(const ScheduleStats& a, const ScheduleStats& b) {
  if (a.preemptions != b.preemptions) return a.preemptions < b.preemptions;
  return a.explicit_steps < b.explicit_steps;
}

class Shrinker {
 public:
  Shrinker(const ReplayFunction& replay, ShrinkOptions options)
      : replay_(replay), options_(options) {}

  ShrinkResult Run(const Schedule& failing) {
    ShrinkResult result;
    const ReplayOutcome first = Replay(failing);
    result.reproduced = first.failed;
    result.original = result.shrunk = first.schedule;
    result.original_stats = result.shrunk_stats = first.stats;
    if (!first.failed) {
      result.runs = runs_;
      return result;
    }
    best_ = first;
    while (runs_ < options_.max_runs && (DropChunks() || Unswitch() || SwapRuns())) {
    }
    result.shrunk = best_.schedule;
    result.shrunk_stats = best_.stats;
    result.runs = runs_;
    return result;
  }

 private:
  ReplayOutcome Replay(const Schedule& schedule) {
    ++runs_;
    return replay_(schedule);
  }

  // Tries `candidate`; true if it failed and is simpler than the best so far
  // (which it then becomes).
  bool Try(Schedule candidate) {
    if (runs_ >= options_.max_runs) return false;
    if (!tried_.insert(candidate.ToString()).second) return false;
    ReplayOutcome outcome = Replay(candidate);
    if (!outcome.failed || !Simpler(outcome.stats, best_.stats)) return false;
    best_ = std::move(outcome);
    return true;
  }

  // One pass of chunk deletion, largest chunks first; true on the first
  // improvement (the caller starts over on the new best).
  bool DropChunks() {
    for (size_t chunk = best_.schedule.steps.size(); chunk >= 1; chunk /= 2) {
      const std::vector<TaskId>& steps = best_.schedule.steps;
      // From the tail: dropping the last chunk is a truncation, the cheapest
      // simplification, and leaves the earlier steps' meaning intact.
      for (size_t end = steps.size(); end >= chunk; end -= chunk) {
        Schedule candidate = best_.schedule;
        candidate.steps.erase(candidate.steps.begin() + static_cast<ptrdiff_t>(end - chunk),
                              candidate.steps.begin() + static_cast<ptrdiff_t>(end));
        if (Try(std::move(candidate))) return true;
        if (runs_ >= options_.max_runs) return false;
      }
    }
    return false;
  }

  // One pass turning each switch (latest first) into a continuation.
  bool Unswitch() {
    const std::vector<TaskId>& steps = best_.schedule.steps;
    for (size_t i = steps.size(); i-- > 1;) {
      if (steps[i] == steps[i - 1]) continue;
      Schedule candidate = best_.schedule;
      candidate.steps[i] = candidate.steps[i - 1];
      if (Try(std::move(candidate))) return true;
      if (runs_ >= options_.max_runs) return false;
    }
    return false;
  }

  // One pass swapping adjacent runs of one task's steps (latest first):
  // moving a task's steps ahead of another's can merge runs, which chunk
  // deletion alone cannot (it would have to delete and re-insert).
  bool SwapRuns() {
    const std::vector<TaskId>& steps = best_.schedule.steps;
    std::vector<size_t> starts;  // where each run begins
    for (size_t i = 0; i < steps.size(); ++i) {
      if (i == 0 || steps[i] != steps[i - 1]) starts.push_back(i);
    }
    starts.push_back(steps.size());
    for (size_t r = starts.size() - 1; r-- > 1;) {
      // Runs [starts[r-1], starts[r]) and [starts[r], starts[r+1]).
      Schedule candidate = best_.schedule;
      auto begin = candidate.steps.begin();
      std::rotate(begin + static_cast<ptrdiff_t>(starts[r - 1]),
                  begin + static_cast<ptrdiff_t>(starts[r]),
                  begin + static_cast<ptrdiff_t>(starts[r + 1]));
      if (Try(std::move(candidate))) return true;
      if (runs_ >= options_.max_runs) return false;
    }
    return false;
  }

  const ReplayFunction& replay_;
  const ShrinkOptions options_;
  ReplayOutcome best_;
  uint64_t runs_ = 0;
  absl::flat_hash_set<std::string> tried_;
};

}  // namespace

TestSchedulerConfig ReplayConfig(const Schedule& schedule, TestSchedulerConfig base) {
  base.seed = schedule.seed;
  base.strategy = Strategy::kReplay;
  base.randomize_order = true;  // the schedule gives the order, FIFO or not
  base.chooser = std::make_shared<ReplayChooser>(schedule);
  base.record_schedule = true;
  return base;
}

ReplayOutcome OutcomeOf(Schedule ran, std::optional<ScheduleStats> stats, bool failed) {
  ReplayOutcome outcome;
  outcome.failed = failed;
  outcome.schedule = std::move(ran);
  if (stats.has_value()) {
    outcome.stats = *stats;
    if (outcome.schedule.steps.size() > stats->explicit_steps) {
      outcome.schedule.steps.resize(stats->explicit_steps);
    }
  }
  return outcome;
}

ReplayOutcome OutcomeOf(const TestScheduler& scheduler, bool failed) {
  return OutcomeOf(scheduler.schedule(), scheduler.schedule_stats(), failed);
}

ShrinkResult ShrinkSchedule(const Schedule& failing, const ReplayFunction& replay,
                            ShrinkOptions options) {
  return Shrinker(replay, options).Run(failing);
}

}  // namespace scheduler
