// Internal: the ready queue of the chooser-driven strategies (fair random,
// exhaustive, replay, fuzz): at each step it lays out the whole candidate set
// in the canonical order (schedule_chooser.h) and lets a ScheduleChooser pick.
//
// O(n log n) per step in the number of queued runnables, which these
// strategies accept: they serve small tests and reproduction, not throughput
// (uniform random and PCT keep their O(1) and O(log n) queues).
//
// It also counts what the run cost (ScheduleStats): preemptions, and the last
// step that differed from the replay default.
#ifndef TESTING_INTERNAL_CHOICE_QUEUE_H_
#define TESTING_INTERNAL_CHOICE_QUEUE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/btree_map.h"
#include "scheduler/ids.h"
#include "scheduler/runnable.h"
#include "testing/internal/ready_queue.h"
#include "testing/schedule.h"
#include "testing/schedule_chooser.h"

namespace scheduler::internal {

class ChoiceQueue final : public ReadyQueue {
 public:
  // `chooser` must not be null.
  explicit ChoiceQueue(std::shared_ptr<ScheduleChooser> chooser);

  void PushBackground(Runnable&& runnable) override { background_.push_back(std::move(runnable)); }
  void MoveToDeprioritized(TaskLabel label) override;
  void PushDeprioritized(Runnable&& runnable) override {
    deprioritized_.push_back(std::move(runnable));
  }
  void PushForeground(SessionId session, Runnable&& runnable) override;
  Runnable Pop(std::optional<SessionId> excluded) override;

  size_t size() const override;
  void ForEach(absl::FunctionRef<void(const Runnable&)> fn) const override;
  void DrainInto(std::vector<Runnable>& out) override;

  const ScheduleStats& stats() const { return stats_; }

 private:
  // Where a candidate lives: background_[index], deprioritized_[index], or
  // the head of session `session`.
  struct Candidate {
    TaskId task;
    enum class From : uint8_t { kBackground, kDeprioritized, kSession } from;
    size_t index = 0;
    SessionId session;
  };

  void Collect(std::optional<SessionId> excluded);
  Runnable Take(const Candidate& candidate);

  const std::shared_ptr<ScheduleChooser> chooser_;
  std::vector<Runnable> background_;
  std::vector<Runnable> deprioritized_;
  // Per-session FIFOs of sessions with work; ordered so iteration never
  // depends on hashing.
  absl::btree_map<SessionId, std::deque<Runnable>> sessions_;
  std::optional<TaskId> previous_;  // the task of the last step
  uint64_t steps_ = 0;
  ScheduleStats stats_;
  // Scratch space reused by every Pop.
  std::vector<Candidate> candidates_;
  std::vector<TaskId> ids_;
};

}  // namespace scheduler::internal

#endif  // TESTING_INTERNAL_CHOICE_QUEUE_H_
