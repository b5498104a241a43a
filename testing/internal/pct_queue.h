// Internal: the ready queue of the PCT strategy (see testing/strategy.h).
//
// Each task gets a priority the first time one of its runnables is pushed: a
// random value >= depth, so new tasks land at a random place in the order, as
// in PCT's random initial permutation. `Pop` always returns the candidate with
// the highest priority (ties, which need two equal 62-bit draws, go to the
// lower task id). At the i-th of the depth-1 change points, drawn uniformly
// from [1, max_steps] at construction, the task whose step is popped gets
// priority i, below every undemoted task.
//
// Candidates are the background runnables and the head of each session's
// FIFO, kept in one ordered map, so push and pop are O(log n); the excluded
// session costs at most one extra step of the walk, since it has one head.
// Hash maps serve lookups only; iteration follows the ordered maps.
#ifndef TESTING_INTERNAL_PCT_QUEUE_H_
#define TESTING_INTERNAL_PCT_QUEUE_H_

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "scheduler/ids.h"
#include "scheduler/runnable.h"
#include "testing/internal/ready_queue.h"
#include "testing/rng.h"

namespace scheduler::internal {

class PctQueue final : public ReadyQueue {
 public:
  // `depth` >= 1 and `max_steps` >= 1 (checked by the TestScheduler).
  PctQueue(Rng rng, int depth, uint64_t max_steps);

  void PushBackground(Runnable&& runnable) override;
  void PushDeprioritized(Runnable&& runnable) override;
  void PushForeground(SessionId session, Runnable&& runnable) override;
  void MoveToDeprioritized(TaskLabel label) override;
  Runnable Pop(std::optional<SessionId> excluded) override;

  size_t size() const override { return size_; }
  void ForEach(absl::FunctionRef<void(const Runnable&)> fn) const override;
  void DrainInto(std::vector<Runnable>& out) override;

  // The change points (step numbers), in the order of their priority 1..d-1.
  const std::vector<uint64_t>& change_points() const { return change_points_; }

 private:
  // Orders candidates best-first.
  struct Key {
    uint64_t priority;
    uint64_t task;
    bool operator<(const Key& other) const {
      if (priority != other.priority) return priority > other.priority;
      return task < other.task;
    }
  };

  Key KeyFor(const Runnable& runnable);
  void AddCandidate(std::map<Key, Runnable>& into, Runnable runnable);

  Rng rng_;  // the schedule stream
  const uint64_t depth_;
  std::vector<uint64_t> change_points_;
  absl::flat_hash_map<uint64_t, uint64_t> demotion_at_step_;  // step -> priority
  absl::flat_hash_map<TaskId, uint64_t> priorities_;
  // Background runnables and session heads, best first.
  std::map<Key, Runnable> candidates_;
  std::map<Key, Runnable> deprioritized_;
  // Sessions with a head in `candidates_`, each with the runnables queued
  // behind its head in FIFO order.
  absl::btree_map<SessionId, std::deque<Runnable>> sessions_;
  uint64_t steps_ = 0;
  size_t size_ = 0;
};

}  // namespace scheduler::internal

#endif  // TESTING_INTERNAL_PCT_QUEUE_H_
