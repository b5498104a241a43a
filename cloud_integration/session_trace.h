// SessionTrace: a request-level timeline of a simulated worker, for viewing.
//
// The TestScheduler's own trace (testing/trace_export.h) shows every step of
// every task. This one shows what a Cloud developer asks about: one process
// per request session (plus "no session"), whose first lane is the request
// (arrival to finished, with its response and cleanup verdict) and whose
// other lanes are its tasks, each a slice from spawn to finish on the fake
// clock. A leaked task is the slice that sticks out past its request.
// Exported as Chrome trace-event JSON (open in https://ui.perfetto.dev or
// chrome://tracing).
//
// Add it to the scheduler (`AddTaskObserver`) *after* creating the
// SimulatedExecutionContext (observers are told in the order they were added,
// so the context's session tracker has already placed a task when this one
// hears of it), and give it the context's `SessionOf` lookup.
//
// Thread-safety: thread-safe (one mutex); the lookup and clock it is given
// must be callable from any thread that spawns or finishes tasks.
#ifndef CLOUD_INTEGRATION_SESSION_TRACE_H_
#define CLOUD_INTEGRATION_SESSION_TRACE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "cloud_integration/cloud_session_id.h"
#include "scheduler/duration.h"
#include "scheduler/ids.h"
#include "scheduler/task_metadata.h"
#include "scheduler/task_observer.h"

namespace cloud {

class SessionTrace final : public scheduler::TaskObserver {
 public:
  using SessionLookup = std::function<std::optional<CloudSessionId>(scheduler::TaskId)>;

  // `now` is the simulation's clock; times are exported relative to the
  // first call.
  explicit SessionTrace(std::function<scheduler::Instant()> now);

  // Set once, before tasks are spawned (the context does not exist when the
  // trace is created).
  void SetSessionLookup(SessionLookup lookup);

  // A request slice on its session's lane.
  void AddRequest(CloudSessionId session, std::string name, scheduler::Instant arrived,
                  scheduler::Instant finished, std::map<std::string, std::string> args);

  void OnTaskSpawned(const scheduler::TaskMetadata& task) override;
  void OnTaskFinished(const scheduler::TaskMetadata& task) override;

  // Tasks still live are drawn up to the latest time seen, marked unfinished.
  std::string ToChromeJson(const std::string& title) const;

 private:
  struct Slice {
    std::string name;
    uint64_t session = 0;  // 0 = no session
    uint64_t task = 0;     // 0 = the request itself
    scheduler::Duration start{0};
    std::optional<scheduler::Duration> end;
    std::map<std::string, std::string> args;
  };

  scheduler::Duration Elapsed() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::function<scheduler::Instant()> now_;
  mutable absl::Mutex mu_;
  SessionLookup lookup_ ABSL_GUARDED_BY(mu_);
  std::optional<scheduler::Instant> origin_ ABSL_GUARDED_BY(mu_);
  scheduler::Duration latest_ ABSL_GUARDED_BY(mu_){0};
  std::vector<Slice> slices_ ABSL_GUARDED_BY(mu_);
  std::map<scheduler::TaskId, size_t> open_ ABSL_GUARDED_BY(mu_);  // live task -> slice
};

}  // namespace cloud

#endif  // CLOUD_INTEGRATION_SESSION_TRACE_H_
