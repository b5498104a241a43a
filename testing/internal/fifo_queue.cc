#include "testing/internal/fifo_queue.h"

#include <utility>

namespace scheduler::internal {
namespace {

Runnable TakeOldest(std::deque<Runnable>& queue, std::optional<SessionId> excluded) {
  for (auto it = queue.begin(); it != queue.end(); ++it) {
    if (excluded.has_value() && it->metadata().session == excluded) continue;
    Runnable runnable = std::move(*it);
    queue.erase(it);
    return runnable;
  }
  return Runnable();
}

}  // namespace

void FifoQueue::MoveToDeprioritized(TaskLabel label) {
  std::deque<Runnable> kept;
  for (Runnable& r : ready_) {
    const TaskMetadata& m = r.metadata();
    if (!m.session.has_value() && m.label == label) {
      deprioritized_.push_back(std::move(r));
    } else {
      kept.push_back(std::move(r));
    }
  }
  ready_.swap(kept);
}

Runnable FifoQueue::Pop(std::optional<SessionId> excluded) {
  if (Runnable r = TakeOldest(ready_, excluded)) return r;
  return TakeOldest(deprioritized_, excluded);
}

void FifoQueue::ForEach(absl::FunctionRef<void(const Runnable&)> fn) const {
  for (const Runnable& r : ready_) fn(r);
  for (const Runnable& r : deprioritized_) fn(r);
}

void FifoQueue::DrainInto(std::vector<Runnable>& out) {
  for (Runnable& r : ready_) out.push_back(std::move(r));
  for (Runnable& r : deprioritized_) out.push_back(std::move(r));
  ready_.clear();
  deprioritized_.clear();
}

}  // namespace scheduler::internal
