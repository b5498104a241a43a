// Internal: the pieces both runtimes use to run and account for wait-until work.
#ifndef CLOUD_INTEGRATION_INTERNAL_WAIT_UNTIL_WORK_H_
#define CLOUD_INTEGRATION_INTERNAL_WAIT_UNTIL_WORK_H_

#include <source_location>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "cloud_integration/request.h"
#include "scheduler/future.h"

namespace cloud::internal {

// Runs `work`; an exception escaping it becomes InternalError("... threw:
// what()"), so the runtime can report it like any other failure instead of
// the scheduler's unhandled-exception path.
scheduler::Future<absl::Status> CatchExceptions(scheduler::Future<absl::Status> work);

// The reporter to use: `reporter` if set, else one printing to stderr.
WaitUntilErrorReporter ReporterOrDefault(WaitUntilErrorReporter reporter);

// Collects the failures of one request's wait-until work.
class FailureList {
 public:
  void Add(absl::Status error, std::source_location registered_at);
  // OK if empty; otherwise a status with the first failure's code naming
  // every failure with its WaitUntil call site.
  absl::Status Combined() const;
  size_t size() const { return failures_.size(); }

 private:
  std::vector<std::pair<absl::Status, std::source_location>> failures_;
};

// A Response for a handler that threw without PassThrough().
Response InternalErrorResponse(const absl::Status& error);
// The default origin: 502, naming why.
scheduler::Future<Response> NoOrigin(Request request);

}  // namespace cloud::internal

#endif  // CLOUD_INTEGRATION_INTERNAL_WAIT_UNTIL_WORK_H_
