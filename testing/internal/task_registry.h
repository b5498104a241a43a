// Internal: every live task of one TestScheduler, for diagnostics.
//
// Implements `TaskObserver`, so it learns of each task's spawn and finish
// whatever thread they happen on. A hash map keeps spawn and finish O(1) with
// 100,000 live tasks; it is only ever looked up, and listings are sorted by
// TaskId (ids are assigned per scheduler, in spawn order), so they are
// deterministic. Thread-safe. Held by shared_ptr from every task, so it may
// outlive the scheduler.
#ifndef TESTING_INTERNAL_TASK_REGISTRY_H_
#define TESTING_INTERNAL_TASK_REGISTRY_H_

#include <functional>
#include <optional>
#include <source_location>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/task_observer.h"

namespace scheduler::internal {

class TaskRegistry final : public TaskObserver {
 public:
  struct Entry {
    TaskMetadata metadata;
    std::string waiting_hint;                           // SetWaitingHint
    std::optional<std::source_location> waiting_since;  // StartWaiting
  };

  void OnTaskSpawned(const TaskMetadata& task) override;
  void OnTaskFinished(const TaskMetadata& task) override;
  // Forwards to the hook, if one is set (the TestScheduler's report of
  // Waker events on foreign threads).
  void OnWakerEvent(const TaskMetadata& task, WakerEvent event) override;

  using WakerHook = std::function<void(const TaskMetadata&, WakerEvent)>;
  // Sets (or, with nullptr, clears) the hook. Once cleared, no call of the
  // old hook is running or will start: the TestScheduler clears it before it
  // dies.
  void SetWakerHook(WakerHook hook);

  bool IsLive(TaskId id) const;
  size_t live_count() const;
  // Snapshot of live tasks, ordered by id.
  std::vector<Entry> Live() const;
  // Set or clear (empty hint / nullopt) the diagnostics of `id`; no-ops if it
  // is not live.
  void SetWaitingHint(TaskId id, std::string hint);
  void SetWaitingSince(TaskId id, std::optional<std::source_location> where);

 private:
  // Held while the hook runs (the hook takes the scheduler's mutex: so this
  // one is never taken under that one).
  absl::Mutex hook_mu_;
  WakerHook hook_ ABSL_GUARDED_BY(hook_mu_);
  mutable absl::Mutex mu_;
  absl::flat_hash_map<TaskId, Entry> live_ ABSL_GUARDED_BY(mu_);
};

}  // namespace scheduler::internal

#endif  // TESTING_INTERNAL_TASK_REGISTRY_H_
