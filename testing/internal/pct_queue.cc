#include "testing/internal/pct_queue.h"

#include <utility>

#include "scheduler/internal/task_core.h"

namespace scheduler::internal {

PctQueue::PctQueue(Rng rng, int depth, uint64_t max_steps)
    : rng_(rng), depth_(static_cast<uint64_t>(depth)) {
  for (uint64_t priority = 1; priority < depth_; ++priority) {
    const uint64_t step = 1 + rng_.Below(max_steps);
    change_points_.push_back(step);
    demotion_at_step_[step] = priority;  // a repeated step keeps the last draw
  }
}

PctQueue::Key PctQueue::KeyFor(const Runnable& runnable) {
  const TaskId task = runnable.metadata().id;
  auto [it, inserted] = priorities_.try_emplace(task, 0);
  if (inserted) it->second = depth_ + (rng_.Next() >> 2);  // >= depth, no overflow
  return Key{it->second, task.value()};
}

void PctQueue::AddCandidate(std::map<Key, Runnable>& into, Runnable runnable) {
  const Key key = KeyFor(runnable);
  auto [it, inserted] = into.try_emplace(key, std::move(runnable));
  // A task has at most one Runnable at a time (task_core.h), so keys are unique.
  if (!inserted)
    FatalError("internal: PctQueue got two runnables of " + DescribeTask(it->second.metadata()));
}

void PctQueue::PushBackground(Runnable&& runnable) {
  AddCandidate(candidates_, std::move(runnable));
  ++size_;
}

void PctQueue::PushDeprioritized(Runnable&& runnable) {
  AddCandidate(deprioritized_, std::move(runnable));
  ++size_;
}

void PctQueue::PushForeground(SessionId session, Runnable&& runnable) {
  ++size_;
  auto it = sessions_.find(session);
  if (it != sessions_.end()) {
    it->second.push_back(std::move(runnable));
    return;
  }
  AddCandidate(candidates_, std::move(runnable));
  sessions_.try_emplace(session);
}

void PctQueue::MoveToDeprioritized(TaskLabel label) {
  // Keys (priorities) move with the runnables. Session heads have no label
  // that counts (foreground work is never deprioritized).
  for (auto it = candidates_.begin(); it != candidates_.end();) {
    const TaskMetadata& m = it->second.metadata();
    if (!m.session.has_value() && m.label == label) {
      deprioritized_.insert(candidates_.extract(it++));
    } else {
      ++it;
    }
  }
}

Runnable PctQueue::Pop(std::optional<SessionId> excluded) {
  auto it = candidates_.begin();
  if (it != candidates_.end() && excluded.has_value() &&
      it->second.metadata().session == excluded) {
    ++it;  // a session has one head, so at most one candidate is skipped
  }
  Runnable picked;
  if (it != candidates_.end()) {
    picked = std::move(it->second);
    candidates_.erase(it);
    if (std::optional<SessionId> session = picked.metadata().session) {
      // The next runnable of the session, if any, becomes its head.
      auto s = sessions_.find(*session);
      if (s->second.empty()) {
        sessions_.erase(s);
      } else {
        Runnable next = std::move(s->second.front());
        s->second.pop_front();
        AddCandidate(candidates_, std::move(next));
      }
    }
  } else if (!deprioritized_.empty()) {
    picked = std::move(deprioritized_.begin()->second);
    deprioritized_.erase(deprioritized_.begin());
  } else {
    return Runnable();
  }
  --size_;
  ++steps_;
  if (auto demotion = demotion_at_step_.find(steps_); demotion != demotion_at_step_.end()) {
    // PCT's priority change point: the task running this step drops below
    // every task that has not been demoted. It takes effect from its next
    // push on; its current runnable is the one being returned.
    priorities_[picked.metadata().id] = demotion->second;
  }
  return picked;
}

void PctQueue::ForEach(absl::FunctionRef<void(const Runnable&)> fn) const {
  for (const auto& [key, r] : candidates_) fn(r);
  for (const auto& [session, behind] : sessions_) {
    for (const Runnable& r : behind) fn(r);
  }
  for (const auto& [key, r] : deprioritized_) fn(r);
}

void PctQueue::DrainInto(std::vector<Runnable>& out) {
  for (auto& [key, r] : candidates_) out.push_back(std::move(r));
  for (auto& [session, behind] : sessions_) {
    for (Runnable& r : behind) out.push_back(std::move(r));
  }
  for (auto& [key, r] : deprioritized_) out.push_back(std::move(r));
  candidates_.clear();
  sessions_.clear();
  deprioritized_.clear();
  size_ = 0;
}

}  // namespace scheduler::internal
