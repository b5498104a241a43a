#include "cloud_integration/internal/session_tracker.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cloud_integration/internal/fatal.h"
#include "cloud_integration/internal/location.h"

namespace cloud::internal {

using scheduler::TaskId;
using scheduler::TaskMetadata;

CloudSessionId SessionTracker::NewSession() {
  absl::MutexLock lock(&mu_);
  sessions_.emplace_back();
  return CloudSessionId(sessions_.size());
}

absl::Status SessionTracker::CheckSession(CloudSessionId id) const {
  absl::MutexLock lock(&mu_);
  if (id.value() >= 1 && id.value() <= sessions_.size()) return absl::OkStatus();
  return absl::NotFoundError(
      absl::StrCat("unknown session#", id.value(), ": this context created ",
                   sessions_.size() == 0 ? std::string("no sessions")
                                         : absl::StrCat("session#1..session#", sessions_.size()),
                   " (ids come from CreateSession of the same context)"));
}

SessionTracker::Scope SessionTracker::ExchangeScope(Scope next) {
  absl::MutexLock lock(&mu_);
  return std::exchange(scope_, next);
}

std::optional<std::pair<CloudSessionId, bool>> SessionTracker::ResolveLocked(
    std::optional<TaskId> parent) const {
  if (scope_.session && scope_.owner == parent) return std::make_pair(*scope_.session, true);
  if (parent) {
    auto it = tasks_.find(*parent);
    if (it != tasks_.end()) return std::make_pair(it->second.session, false);
  }
  if (scope_.session) return std::make_pair(*scope_.session, true);
  return std::nullopt;
}

std::optional<CloudSessionId> SessionTracker::SessionFor(std::optional<TaskId> running) const {
  absl::MutexLock lock(&mu_);
  auto resolved = ResolveLocked(running);
  if (!resolved) return std::nullopt;
  return resolved->first;
}

std::optional<CloudSessionId> SessionTracker::SessionOf(TaskId task) const {
  absl::MutexLock lock(&mu_);
  auto it = tasks_.find(task);
  if (it == tasks_.end()) return std::nullopt;
  return it->second.session;
}

std::optional<CloudSessionId> SessionTracker::AuthorizeWaitUntil(TaskId task) {
  absl::MutexLock lock(&mu_);
  auto it = tasks_.find(task);
  if (it == tasks_.end()) return std::nullopt;
  it->second.wait_until = true;
  return it->second.session;
}

namespace {

// Where session `id` is in a list of `count` sessions (ids count from 1).
size_t SessionIndex(CloudSessionId id, size_t count) {
  if (id.value() < 1 || id.value() > count) {
    Fatal(absl::StrCat("SessionTracker: unknown session#", id.value()));
  }
  return id.value() - 1;
}

}  // namespace

SessionTracker::Session& SessionTracker::SessionLocked(CloudSessionId id) {
  return sessions_[SessionIndex(id, sessions_.size())];
}

const SessionTracker::Session& SessionTracker::SessionLocked(CloudSessionId id) const {
  return sessions_[SessionIndex(id, sessions_.size())];
}

absl::Status SessionTracker::Track(TaskId task, CloudSessionId session) {
  absl::MutexLock lock(&mu_);
  Session& target = SessionLocked(session);
  if (auto it = tasks_.find(task); it != tasks_.end()) {
    TrackedTask& tracked = it->second;
    if (tracked.session == session) return absl::OkStatus();
    SessionLocked(tracked.session).live.erase(task);
    tracked.session = session;
    tracked.entry = true;
    tracked.wait_until_root.reset();  // that ancestor belongs to the other session
    target.live.insert(task);
    ++target.spawned;
    return absl::OkStatus();
  }
  auto untracked = untracked_.find(task);
  if (untracked == untracked_.end()) {
    return absl::NotFoundError(absl::StrCat(
        "task#", task.value(),
        " is not a live task of this context's scheduler (it finished, or was spawned on "
        "another scheduler)"));
  }
  TrackedTask tracked{.metadata = untracked->second, .session = session, .entry = true};
  if (tracked.metadata.parent) {
    if (auto parent = tasks_.find(*tracked.metadata.parent); parent != tasks_.end()) {
      tracked.parent_location = parent->second.metadata.location;
      tracked.parent_entry = parent->second.entry;
    }
  }
  untracked_.erase(untracked);
  target.live.insert(task);
  ++target.spawned;
  tasks_.insert_or_assign(task, std::move(tracked));
  return absl::OkStatus();
}

void SessionTracker::RequestPassThrough(CloudSessionId session) {
  absl::MutexLock lock(&mu_);
  SessionLocked(session).pass_through = true;
}

bool SessionTracker::PassThroughRequested(CloudSessionId session) const {
  absl::MutexLock lock(&mu_);
  return SessionLocked(session).pass_through;
}

std::vector<TaskId> SessionTracker::LiveTasks(CloudSessionId session) const {
  absl::MutexLock lock(&mu_);
  const std::set<TaskId>& live = SessionLocked(session).live;
  return std::vector<TaskId>(live.begin(), live.end());
}

uint64_t SessionTracker::SpawnedCount(CloudSessionId session) const {
  absl::MutexLock lock(&mu_);
  return SessionLocked(session).spawned;
}

bool SessionTracker::AuthorizedLocked(const TrackedTask& task) const {
  if (task.wait_until || (task.wait_until_root && tasks_.contains(*task.wait_until_root))) {
    return true;
  }
  // A live ancestor authorized after this task was spawned (AddWaitUntilTask
  // on a running task) covers it too.
  for (std::optional<TaskId> up = task.metadata.parent; up;) {
    auto it = tasks_.find(*up);
    if (it == tasks_.end() || it->second.session != task.session) return false;
    if (it->second.wait_until) return true;
    up = it->second.metadata.parent;
  }
  return false;
}

absl::Status SessionTracker::Validate(CloudSessionId session) const {
  if (absl::Status known = CheckSession(session); !known.ok()) return known;
  absl::MutexLock lock(&mu_);
  std::vector<const TrackedTask*> unauthorized;
  for (TaskId id : SessionLocked(session).live) {
    const TrackedTask& task = tasks_.at(id);
    if (!AuthorizedLocked(task)) unauthorized.push_back(&task);
  }
  if (unauthorized.empty()) return absl::OkStatus();
  std::string message = absl::StrCat(
      "session#", session.value(), " cleanup failed: ", unauthorized.size(), " unauthorized task",
      unauthorized.size() == 1 ? "" : "s",
      " still running (work a request starts must finish before its response, or be registered "
      "with ExecutionContext::WaitUntil):");
  for (const TrackedTask* task : unauthorized) {
    absl::StrAppend(&message, "\n  task#", task->metadata.id.value(), " spawned at ",
                    ShortLocation(task->metadata.location));
    if (task->metadata.parent) {
      absl::StrAppend(&message, ", by task#", task->metadata.parent->value());
      if (task->parent_location) {
        absl::StrAppend(&message, " (", task->parent_entry ? "the session's entry task, " : "",
                        "spawned at ", ShortLocation(*task->parent_location), ")");
      }
    }
    if (task->entry) {
      absl::StrAppend(&message,
                      " [an entry task of the session, still running: validate after it finishes]");
    }
  }
  return absl::FailedPreconditionError(message);
}

void SessionTracker::OnTaskSpawned(const TaskMetadata& task) {
  absl::MutexLock lock(&mu_);
  auto resolved = ResolveLocked(task.parent);
  if (!resolved) {
    untracked_.insert_or_assign(task.id, task);
    return;
  }
  TrackedTask tracked{.metadata = task, .session = resolved->first, .entry = resolved->second};
  if (task.parent) {
    auto parent = tasks_.find(*task.parent);
    if (parent != tasks_.end()) {
      tracked.parent_location = parent->second.metadata.location;
      tracked.parent_entry = parent->second.entry;
      if (parent->second.session == tracked.session) {
        tracked.wait_until_root =
            parent->second.wait_until ? *task.parent : parent->second.wait_until_root;
      }
    }
  }
  Session& session = SessionLocked(tracked.session);
  session.live.insert(task.id);
  ++session.spawned;
  tasks_.insert_or_assign(task.id, std::move(tracked));
}

void SessionTracker::OnTaskFinished(const TaskMetadata& task) {
  absl::MutexLock lock(&mu_);
  auto it = tasks_.find(task.id);
  if (it == tasks_.end()) {
    untracked_.erase(task.id);
    return;
  }
  SessionLocked(it->second.session).live.erase(task.id);
  tasks_.erase(it);
}

}  // namespace cloud::internal
