// Internal: the interface of the TestScheduler's queue of runnable steps.
//
// Three kinds of runnables, picked as the TestScheduler's contract requires:
//   * background runnables, any of which may run next;
//   * foreground runnables, FIFO per session: only a session's oldest runnable
//     is a candidate, so a session's tasks never overtake each other;
//   * deprioritized runnables (their label was deprioritized), candidates only
//     when nothing else is (the blocked session's queued work cannot run, so
//     it does not count).
// Implementations differ only in which candidate `Pop` picks (strategy.h).
// A queue draws from a generator of its own (the schedule stream, seeded from
// the seed), never from the scheduler's shared PRNG (the data stream behind
// Rng(), NextRandom, block budgets and random delays): a run replayed from
// its schedule string, with no strategy drawing, then sees the same data. Nothing
// that affects a choice or an iteration order depends on hashing or
// addresses, so a seed replays exactly.
//
// Not thread-safe: the TestScheduler calls it under its mutex.
#ifndef TESTING_INTERNAL_READY_QUEUE_H_
#define TESTING_INTERNAL_READY_QUEUE_H_

#include <cstddef>
#include <optional>
#include <vector>

#include "absl/functional/function_ref.h"
#include "scheduler/ids.h"
#include "scheduler/runnable.h"
#include "scheduler/task_metadata.h"

namespace scheduler::internal {

class ReadyQueue {
 public:
  virtual ~ReadyQueue() = default;

  // Rvalue references: a step's runnable passes through several calls, and
  // each by-value hop would cost a move and an out-of-line destructor.
  virtual void PushBackground(Runnable&& runnable) = 0;
  virtual void PushDeprioritized(Runnable&& runnable) = 0;
  virtual void PushForeground(SessionId session, Runnable&& runnable) = 0;

  // Moves the queued background runnables labelled `label` to the
  // deprioritized ones (`TestControls::Deprioritize` covers work queued
  // before the call too). Keeps the relative order the strategy relies on.
  virtual void MoveToDeprioritized(TaskLabel label) = 0;

  // Removes and returns the next runnable, or an empty Runnable if there is no
  // candidate. Runnables of `excluded` are never candidates (a session blocked
  // in `Block` must not run its own later tasks).
  virtual Runnable Pop(std::optional<SessionId> excluded) = 0;

  virtual size_t size() const = 0;
  bool empty() const { return size() == 0; }

  // Calls `fn` for each queued runnable, in a deterministic order.
  virtual void ForEach(absl::FunctionRef<void(const Runnable&)> fn) const = 0;

  // Moves every runnable into `out`, in a deterministic order (used at
  // shutdown, to drop them outside the scheduler's lock).
  virtual void DrainInto(std::vector<Runnable>& out) = 0;
};

}  // namespace scheduler::internal

#endif  // TESTING_INTERNAL_READY_QUEUE_H_
