#include "testing/internal/task_registry.h"

#include <algorithm>

namespace scheduler::internal {

void TaskRegistry::OnTaskSpawned(const TaskMetadata& task) {
  absl::MutexLock lock(&mu_);
  live_.emplace(task.id, Entry{task, "", std::nullopt});
}

void TaskRegistry::OnTaskFinished(const TaskMetadata& task) {
  absl::MutexLock lock(&mu_);
  live_.erase(task.id);
}

void TaskRegistry::OnWakerEvent(const TaskMetadata& task, WakerEvent event) {
  absl::MutexLock lock(&hook_mu_);
  if (hook_) hook_(task, event);
}

void TaskRegistry::SetWakerHook(WakerHook hook) {
  absl::MutexLock lock(&hook_mu_);
  hook_ = std::move(hook);
}

bool TaskRegistry::IsLive(TaskId id) const {
  absl::MutexLock lock(&mu_);
  return live_.contains(id);
}

size_t TaskRegistry::live_count() const {
  absl::MutexLock lock(&mu_);
  return live_.size();
}

std::vector<TaskRegistry::Entry> TaskRegistry::Live() const {
  absl::MutexLock lock(&mu_);
  std::vector<Entry> out;
  out.reserve(live_.size());
  for (const auto& [id, entry] : live_) out.push_back(entry);
  // Hash order is arbitrary; id order is spawn order, the same on every run.
  std::sort(out.begin(), out.end(),
            [](const Entry& a, const Entry& b) { return a.metadata.id < b.metadata.id; });
  return out;
}

void TaskRegistry::SetWaitingHint(TaskId id, std::string hint) {
  absl::MutexLock lock(&mu_);
  auto it = live_.find(id);
  if (it != live_.end()) it->second.waiting_hint = std::move(hint);
}

void TaskRegistry::SetWaitingSince(TaskId id, std::optional<std::source_location> where) {
  absl::MutexLock lock(&mu_);
  auto it = live_.find(id);
  if (it != live_.end()) it->second.waiting_since = where;
}

}  // namespace scheduler::internal
