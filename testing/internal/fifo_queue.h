// Internal: the ready queue of FIFO mode (`TestSchedulerConfig::randomize_order
// = false`, Zed's `randomize_order: false`).
//
// Runnables run in the order they became runnable, whatever the seed: one
// queue for background and foreground runnables (so a session's runnables
// stay FIFO too), and one behind it for deprioritized ones. `Pop` takes the
// oldest runnable that is not the excluded (blocking) session's; skipping is
// a scan, paid only while a session blocks. Draws nothing.
#ifndef TESTING_INTERNAL_FIFO_QUEUE_H_
#define TESTING_INTERNAL_FIFO_QUEUE_H_

#include <deque>
#include <optional>
#include <vector>

#include "testing/internal/ready_queue.h"

namespace scheduler::internal {

class FifoQueue final : public ReadyQueue {
 public:
  void PushBackground(Runnable&& runnable) override { ready_.push_back(std::move(runnable)); }
  void PushDeprioritized(Runnable&& runnable) override {
    deprioritized_.push_back(std::move(runnable));
  }
  void PushForeground(SessionId, Runnable&& runnable) override {
    ready_.push_back(std::move(runnable));
  }
  void MoveToDeprioritized(TaskLabel label) override;
  Runnable Pop(std::optional<SessionId> excluded) override;

  size_t size() const override { return ready_.size() + deprioritized_.size(); }
  void ForEach(absl::FunctionRef<void(const Runnable&)> fn) const override;
  void DrainInto(std::vector<Runnable>& out) override;

 private:
  std::deque<Runnable> ready_;
  std::deque<Runnable> deprioritized_;
};

}  // namespace scheduler::internal

#endif  // TESTING_INTERNAL_FIFO_QUEUE_H_
