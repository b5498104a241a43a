// Internal: the TestScheduler's queue of runnable steps.
//
// Three kinds of runnables, picked as the TestScheduler's contract requires:
//   * background runnables, any of which may run next;
//   * foreground runnables, FIFO per session: only a session's oldest runnable
//     is a candidate, so a session's tasks never overtake each other;
//   * deprioritized runnables (their label was deprioritized), candidates only
//     when nothing else is.
// `Pop` draws uniformly among the candidates in O(1): background runnables live
// in a vector (swap-remove), and the sessions that have work live in a vector
// with an index map, so a session can be found and removed in O(1) too.
// Iteration order never depends on hashing, only on insertion order, so a
// seed replays exactly.
#ifndef TESTING_INTERNAL_RUN_QUEUE_H_
#define TESTING_INTERNAL_RUN_QUEUE_H_

#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "scheduler/ids.h"
#include "scheduler/runnable.h"
#include "testing/rng.h"

namespace scheduler::internal {

class RunQueue {
 public:
  void PushBackground(Runnable runnable) { background_.push_back(std::move(runnable)); }
  void PushDeprioritized(Runnable runnable) { deprioritized_.push_back(std::move(runnable)); }
  void PushForeground(SessionId session, Runnable runnable);

  // Removes and returns the next runnable, or an empty Runnable if there is no
  // candidate. Runnables of `excluded` are never candidates (a session blocked
  // in `Block` must not run its own later tasks).
  Runnable Pop(Rng& rng, std::optional<SessionId> excluded);

  size_t size() const { return size_foreground_ + background_.size() + deprioritized_.size(); }
  bool empty() const { return size() == 0; }

  // Calls `fn(const Runnable&)` for each queued runnable, in a deterministic order.
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (const Runnable& r : background_) fn(r);
    for (SessionId s : active_sessions_) {
      for (const Runnable& r : sessions_.at(s)) fn(r);
    }
    for (const Runnable& r : deprioritized_) fn(r);
  }

  // Moves every runnable into `out` (used at shutdown, to drop them unlocked).
  void DrainInto(std::vector<Runnable>& out);

 private:
  Runnable TakeSessionHead(size_t active_index);

  std::vector<Runnable> background_;
  std::vector<Runnable> deprioritized_;
  absl::flat_hash_map<SessionId, std::deque<Runnable>> sessions_;
  std::vector<SessionId> active_sessions_;  // sessions with queued work
  absl::flat_hash_map<SessionId, size_t> active_index_;
  size_t size_foreground_ = 0;
};

}  // namespace scheduler::internal

#endif  // TESTING_INTERNAL_RUN_QUEUE_H_
