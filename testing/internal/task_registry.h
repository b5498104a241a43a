// Internal: every live task of one TestScheduler, for diagnostics.
//
// Implements `TaskObserver`, so it learns of each task's spawn and finish
// whatever thread they happen on. Kept in a std::map ordered by TaskId (ids
// are assigned per scheduler, in spawn order), so listings are deterministic.
// Thread-safe. Held by shared_ptr from every task, so it may outlive the
// scheduler.
#ifndef TESTING_INTERNAL_TASK_REGISTRY_H_
#define TESTING_INTERNAL_TASK_REGISTRY_H_

#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "scheduler/task_observer.h"

namespace scheduler::internal {

class TaskRegistry final : public TaskObserver {
 public:
  struct Entry {
    TaskMetadata metadata;
    std::string waiting_hint;  // set by SetWaitingHint / StartWaiting
  };

  void OnTaskSpawned(const TaskMetadata& task) override;
  void OnTaskFinished(const TaskMetadata& task) override;

  bool IsLive(TaskId id) const;
  size_t live_count() const;
  // Snapshot of live tasks, ordered by id.
  std::vector<Entry> Live() const;
  // Sets the hint shown for `id` in stuck-test reports (no-op if not live).
  void SetWaitingHint(TaskId id, std::string hint);

 private:
  mutable absl::Mutex mu_;
  std::map<TaskId, Entry> live_ ABSL_GUARDED_BY(mu_);
};

}  // namespace scheduler::internal

#endif  // TESTING_INTERNAL_TASK_REGISTRY_H_
