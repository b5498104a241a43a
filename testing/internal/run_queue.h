// Internal: the ready queue of the uniform random strategy.
//
// `Pop` draws uniformly among the candidates (every background runnable plus
// the head of every session with work, minus the excluded session) in O(1):
// background runnables live in a vector (swap-remove), and the sessions that
// have work live in a vector with an index map, so a session can be found and
// removed in O(1) too.
//
// Priorities (scheduler/task_metadata.h): background runnables of high and low
// priority wait in vectors of their own; foreground session heads count as
// medium. When more than one class has candidates, `Pop` first draws the
// class, weighted 60/30/10 (high/medium/low, Zed's weights) over the classes
// that have candidates, then uniformly within it. With only medium work (the
// common case) it draws exactly as it did before priorities existed, so old
// seeds replay the same schedules. The hash maps are used for lookups only; every
// iteration walks the vectors, whose order depends only on the history of
// pushes and pops, never on hashing.
#ifndef TESTING_INTERNAL_RUN_QUEUE_H_
#define TESTING_INTERNAL_RUN_QUEUE_H_

#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "scheduler/ids.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/runnable.h"
#include "testing/internal/ready_queue.h"
#include "testing/rng.h"

namespace scheduler::internal {

class RunQueue final : public ReadyQueue {
 public:
  explicit RunQueue(Rng rng) : rng_(rng) {}

  void PushBackground(Runnable&& runnable) override {
    // Peek: the metadata is in the core we are about to queue anyway, and
    // Runnable::metadata() is out of line (this is the benchmark's hot path).
    switch (RunnableAccess::Peek(runnable)->metadata().priority) {
      case Priority::kMedium:
        background_.push_back(std::move(runnable));
        return;
      case Priority::kHigh:
        high_.push_back(std::move(runnable));
        return;
      case Priority::kLow:
        low_.push_back(std::move(runnable));
        return;
    }
  }
  void PushDeprioritized(Runnable&& runnable) override {
    deprioritized_.push_back(std::move(runnable));
  }
  void PushForeground(SessionId session, Runnable&& runnable) override;
  void MoveToDeprioritized(TaskLabel label) override;
  Runnable Pop(std::optional<SessionId> excluded) override;

  size_t size() const override {
    return size_foreground_ + background_.size() + high_.size() + low_.size() +
           deprioritized_.size();
  }
  void ForEach(absl::FunctionRef<void(const Runnable&)> fn) const override;
  void DrainInto(std::vector<Runnable>& out) override;

 private:
  // With this many background runnables or more, their tasks no longer fit
  // in the caches and a random pick usually misses: the background fast path
  // then prefetches the likely next pick (run_queue.cc). Below it, the
  // prefetch would only cost instructions.
  static constexpr size_t kPrefetchFrom = 4096;
  Runnable TakeSessionHead(size_t active_index);
  // Pop among the medium class (background runnables and session heads).
  Runnable PopMedium(size_t sessions, std::optional<size_t> skip);

  Rng rng_;                           // the schedule stream: draws here never shift the data stream
  std::vector<Runnable> background_;  // medium priority
  std::vector<Runnable> high_;
  std::vector<Runnable> low_;
  std::vector<Runnable> deprioritized_;
  // Per-session FIFOs. A session's deque is kept when it empties, so a session
  // that alternates between one and zero queued runnables does not reallocate.
  absl::flat_hash_map<SessionId, std::deque<Runnable>> sessions_;
  std::vector<SessionId> active_sessions_;  // sessions with queued work
  absl::flat_hash_map<SessionId, size_t> active_index_;
  size_t size_foreground_ = 0;
};

}  // namespace scheduler::internal

#endif  // TESTING_INTERNAL_RUN_QUEUE_H_
