// Internal: the ExecutionContext of one request served by WorkerRuntime.
//
// Holds the request's wait-until tasks (spawned on the worker's event loop as
// they are registered) and its pass-through flag. `Drain` awaits every task,
// including tasks registered while draining, then closes the scope; a
// WaitUntil after that is a fatal error (the work would escape the request).
//
// Thread-safety: event-loop thread only, which the ForegroundExecutor checks
// on every spawn.
#ifndef CLOUD_INTEGRATION_INTERNAL_REQUEST_SCOPE_H_
#define CLOUD_INTEGRATION_INTERNAL_REQUEST_SCOPE_H_

#include <cstdint>
#include <deque>
#include <source_location>

#include "absl/status/status.h"
#include "cloud_integration/execution_context.h"
#include "cloud_integration/request.h"
#include "executor/executor.h"
#include "scheduler/future.h"
#include "scheduler/task.h"

namespace cloud::internal {

class RequestScope final : public ExecutionContext {
 public:
  // `executor` and `report` must outlive the scope.
  RequestScope(const scheduler::ForegroundExecutor& executor, const WaitUntilErrorReporter& report);

  bool pass_through_requested() const { return pass_through_; }
  uint64_t registered() const { return registered_; }

  // Awaits all wait-until work; reports each failure; returns how many failed.
  scheduler::Future<uint64_t> Drain();

 protected:
  void DoWaitUntil(scheduler::Future<absl::Status> work, std::source_location location) override;
  void DoPassThrough(std::source_location location) override;

 private:
  struct PendingWork {
    scheduler::Task<absl::Status> task;
    std::source_location location;
  };

  void CheckOpen(const char* operation, std::source_location location) const;

  const scheduler::ForegroundExecutor& executor_;
  const WaitUntilErrorReporter& report_;
  std::deque<PendingWork> pending_;
  uint64_t registered_ = 0;
  bool pass_through_ = false;
  bool closed_ = false;
};

}  // namespace cloud::internal

#endif  // CLOUD_INTEGRATION_INTERNAL_REQUEST_SCOPE_H_
