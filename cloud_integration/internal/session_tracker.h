// Internal: which request session each task belongs to, and whether it may
// outlive the request. The bookkeeping behind SimulatedExecutionContext.
//
// It is a TaskObserver added to the scheduler's context, so it sees every
// task spawned on the context's scheduler, by any Executor built on it,
// from any task. A spawn joins a session by this rule (first match wins):
//   1. a session scope set by the spawning task itself (or, outside of any
//      task, set from outside of any task): `WithSession` / `SetCurrentSession`
//      called in the same step. The task is an *entry* task of the session;
//   2. lineage: the spawning task (`TaskMetadata::parent`) belongs to a
//      session; the child joins it, so grandchildren do too;
//   3. any other current scope (set from outside of any task, while an
//      unrelated task spawns);
//   otherwise the task is not tracked.
// Rule 1 before 2 makes a nested `WithSession` inside a session's task win;
// rule 2 before 3 keeps a request's descendants in their request even if the
// driver left another session current with `SetCurrentSession`.
//
// A live task of a session is *authorized* if it was registered with
// WaitUntil, or it descends from wait-until work that is still live (the
// work is not done until its children are, so they are part of it). A child
// that outlives its wait-until ancestor is unauthorized, like any other task.
//
// Only live tasks are remembered (a task can only be spawned by a live one;
// live tasks outside any session are kept too, for `Track`),
// so memory stays proportional to the tasks in flight; sessions are small and
// kept for the tracker's life.
//
// Thread-safety: all methods are thread-safe (one mutex). Task ids are those
// of the observed scheduler: a parent spawned on a different scheduler may be
// mistaken for one of ours if the ids collide (the TestScheduler numbers from
// 1 per instance), so spawn a session's tasks through one scheduler.
#ifndef CLOUD_INTEGRATION_INTERNAL_SESSION_TRACKER_H_
#define CLOUD_INTEGRATION_INTERNAL_SESSION_TRACKER_H_

#include <cstdint>
#include <optional>
#include <set>
#include <source_location>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "cloud_integration/cloud_session_id.h"
#include "scheduler/ids.h"
#include "scheduler/task_metadata.h"
#include "scheduler/task_observer.h"

namespace cloud::internal {

class SessionTracker final : public scheduler::TaskObserver {
 public:
  // The session that spawns join now, and the task that made it current
  // (nullopt: made current from outside of any task).
  struct Scope {
    std::optional<CloudSessionId> session;
    std::optional<scheduler::TaskId> owner;
  };

  CloudSessionId NewSession();
  // OK, or NotFoundError naming `id` and the sessions that do exist.
  absl::Status CheckSession(CloudSessionId id) const;

  // Installs `next` and returns the previous scope (to restore it later).
  Scope ExchangeScope(Scope next);

  // The session a task spawned right now by `running` (the task running on
  // the calling thread, if any) would join, by the rule above.
  std::optional<CloudSessionId> SessionFor(std::optional<scheduler::TaskId> running) const;
  // The session of a live tracked task.
  std::optional<CloudSessionId> SessionOf(scheduler::TaskId task) const;

  // Marks a live tracked task as wait-until work; returns its session, or
  // nullopt if the task is not tracked (then nothing is marked).
  std::optional<CloudSessionId> AuthorizeWaitUntil(scheduler::TaskId task);

  // Puts a live task into `session` (which must exist): a task not in any
  // session joins it as an entry task; a task of another session moves.
  // NotFoundError if `task` is not a live task this tracker has seen.
  absl::Status Track(scheduler::TaskId task, CloudSessionId session);

  // Per-session pass-through flag. The session must exist.
  void RequestPassThrough(CloudSessionId session);
  bool PassThroughRequested(CloudSessionId session) const;

  // Live tasks of `session`, by id. The session must exist.
  std::vector<scheduler::TaskId> LiveTasks(CloudSessionId session) const;
  // Tasks that ever joined `session`. The session must exist.
  uint64_t SpawnedCount(CloudSessionId session) const;

  // OK if no unauthorized task of `session` is live; NotFoundError for an
  // unknown session; otherwise FailedPreconditionError with the count and one
  // line per unauthorized task (id, spawn location, parent and its location).
  absl::Status Validate(CloudSessionId session) const;

  void OnTaskSpawned(const scheduler::TaskMetadata& task) override;
  void OnTaskFinished(const scheduler::TaskMetadata& task) override;

 private:
  struct TrackedTask {
    scheduler::TaskMetadata metadata;
    CloudSessionId session;
    // Joined through a scope (rule 1 or 3), not through lineage.
    bool entry = false;
    bool wait_until = false;
    // The nearest wait-until ancestor when this task was spawned.
    std::optional<scheduler::TaskId> wait_until_root;
    std::optional<std::source_location> parent_location;
    bool parent_entry = false;
  };
  struct Session {
    std::set<scheduler::TaskId> live;
    uint64_t spawned = 0;
    bool pass_through = false;
  };

  // The session a spawn by `parent` joins, and whether it is an entry task.
  std::optional<std::pair<CloudSessionId, bool>> ResolveLocked(
      std::optional<scheduler::TaskId> parent) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  bool AuthorizedLocked(const TrackedTask& task) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  Session& SessionLocked(CloudSessionId id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const Session& SessionLocked(CloudSessionId id) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  Scope scope_ ABSL_GUARDED_BY(mu_);
  // Session n is sessions_[n - 1]; sessions are never removed.
  std::vector<Session> sessions_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<scheduler::TaskId, TrackedTask> tasks_ ABSL_GUARDED_BY(mu_);
  // Live tasks in no session, so that Track can adopt them later.
  absl::flat_hash_map<scheduler::TaskId, scheduler::TaskMetadata> untracked_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cloud::internal

#endif  // CLOUD_INTEGRATION_INTERNAL_SESSION_TRACKER_H_
