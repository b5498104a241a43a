#include "testing/exhaustive.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"

namespace scheduler {

// One choice point on the current path of the search.
struct Node {
  uint32_t candidates = 0;
  uint32_t chosen = 0;
  bool previous_is_candidate = false;
  uint32_t preemptions_before = 0;  // on the path above this node

  uint32_t preemptions_after() const {
    return preemptions_before + (previous_is_candidate && chosen != 0 ? 1 : 0);
  }
};

struct ExhaustiveSearch::State {
  explicit State(ExhaustiveOptions o) : options(o) {}

  // Moves the path to the next schedule in depth-first order: the deepest
  // node with an untried alternative within the bound takes it, everything
  // below it is forgotten. False when there is none.
  bool Backtrack() {
    while (!path.empty()) {
      Node& node = path.back();
      // Every alternative to index 0 costs the same: a preemption iff the
      // previous task could have continued.
      const uint32_t cost = node.previous_is_candidate ? 1 : 0;
      const bool within_bound =
          options.preemption_bound < 0 ||
          node.preemptions_before + cost <= static_cast<uint32_t>(options.preemption_bound);
      if (node.chosen + 1 < node.candidates && within_bound) {
        ++node.chosen;
        prefix = path.size();
        return true;
      }
      path.pop_back();
    }
    return false;
  }

  void Diverged(uint64_t step, size_t depth, const ChoicePoint& point) {
    if (!error.ok()) return;
    const Node& node = path[depth];
    error = absl::FailedPreconditionError(absl::StrCat(
        "exhaustive search: schedule #", runs,
        " replayed the choices of an earlier run, but at choice #", depth + 1, " (step ", step,
        ") met ", point.candidates.size(), " candidates (previous task runnable: ",
        point.previous_is_candidate ? "yes" : "no", ") where the earlier run met ", node.candidates,
        " (", node.previous_is_candidate ? "yes" : "no",
        "). The test is not deterministic: look for state that outlives a run, real time or "
        "real threads."));
  }

  const ExhaustiveOptions options;
  std::vector<Node> path;
  size_t prefix = 0;  // nodes of `path` the current run replays
  size_t depth = 0;   // choice points the current run has met
  uint64_t runs = 0;
  uint64_t max_depth = 0;
  bool exhausted = false;
  bool capped = false;  // stopped at max_schedules
  absl::Status error;
};

// The chooser of one run: replays the path's prefix, then extends the path
// with default choices.
class ExhaustiveSearch::Run final : public ScheduleChooser {
 public:
  explicit Run(std::shared_ptr<State> state) : state_(std::move(state)) {}

  size_t Choose(const ChoicePoint& point) override {
    State& s = *state_;
    if (point.step > s.options.max_steps) return RoundRobin(point);
    const size_t depth = s.depth++;
    s.max_depth = std::max<uint64_t>(s.max_depth, s.depth);
    const auto n = static_cast<uint32_t>(point.candidates.size());
    if (depth < s.prefix) {
      const Node& node = s.path[depth];
      if (node.candidates != n || node.previous_is_candidate != point.previous_is_candidate) {
        s.Diverged(point.step, depth, point);
      }
      return std::min(node.chosen, n - 1);
    }
    const uint32_t preemptions = depth == 0 ? 0 : s.path[depth - 1].preemptions_after();
    s.path.push_back(Node{.candidates = n,
                          .chosen = 0,
                          .previous_is_candidate = point.previous_is_candidate,
                          .preemptions_before = preemptions});
    return 0;
  }

 private:
  // The next task after the previous step's in id order, wrapping around:
  // every runnable task gets a turn within n choices. Past index 0 the
  // candidates are in ascending id order.
  static size_t RoundRobin(const ChoicePoint& point) {
    if (!point.previous_is_candidate) return 0;  // index 0 is then the lowest id
    for (size_t i = 1; i < point.candidates.size(); ++i) {
      if (point.candidates[i] > point.candidates[0]) return i;
    }
    return 1;
  }

  const std::shared_ptr<State> state_;
};

ExhaustiveSearch::ExhaustiveSearch(ExhaustiveOptions options)
    : state_(std::make_shared<State>(options)) {}

ExhaustiveSearch::~ExhaustiveSearch() = default;

std::shared_ptr<ScheduleChooser> ExhaustiveSearch::NextSchedule() {
  State& s = *state_;
  if (s.exhausted || s.capped || !s.error.ok()) return nullptr;
  if (s.runs > 0) {
    // The previous run ended. Met fewer choices than it replayed: diverged.
    if (s.depth < s.prefix) {
      s.error = absl::FailedPreconditionError(
          absl::StrCat("exhaustive search: schedule #", s.runs, " ended after ", s.depth,
                       " choices, but an earlier run with the same choices went on to choice #",
                       s.prefix, ". The test is not deterministic."));
      return nullptr;
    }
    if (!s.Backtrack()) {
      s.exhausted = true;
      return nullptr;
    }
    if (s.runs >= s.options.max_schedules) {
      s.capped = true;
      return nullptr;
    }
  }
  ++s.runs;
  s.depth = 0;
  return std::make_shared<Run>(state_);
}

uint64_t ExhaustiveSearch::schedules_run() const { return state_->runs; }
bool ExhaustiveSearch::exhausted() const { return state_->exhausted; }
absl::Status ExhaustiveSearch::status() const { return state_->error; }
uint64_t ExhaustiveSearch::max_depth() const { return state_->max_depth; }

}  // namespace scheduler
