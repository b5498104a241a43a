#include "cloud_integration/internal/request_scope.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "cloud_integration/internal/fatal.h"
#include "cloud_integration/internal/wait_until_work.h"

namespace cloud::internal {

RequestScope::RequestScope(const scheduler::ForegroundExecutor& executor,
                           const WaitUntilErrorReporter& report)
    : executor_(executor), report_(report) {}

void RequestScope::CheckOpen(const char* operation, std::source_location location) const {
  if (closed_) {
    Fatal(absl::StrCat(operation, " at ", scheduler::FormatLocation(location),
                       " after the request finished: the work would outlive its request"));
  }
}

void RequestScope::DoWaitUntil(scheduler::Future<absl::Status> work,
                               std::source_location location) {
  CheckOpen("ExecutionContext::WaitUntil", location);
  if (!work.valid()) {
    Fatal("ExecutionContext::WaitUntil with an empty Future at " +
          scheduler::FormatLocation(location));
  }
  ++registered_;
  pending_.push_back(
      PendingWork{executor_.Spawn(CatchExceptions(std::move(work)), location), location});
}

void RequestScope::DoPassThrough(std::source_location location) {
  CheckOpen("ExecutionContext::PassThrough", location);
  pass_through_ = true;
}

scheduler::Future<uint64_t> RequestScope::Drain() {
  uint64_t failed = 0;
  // In registration order; work registered meanwhile joins the back.
  while (!pending_.empty()) {
    PendingWork work = std::move(pending_.front());
    pending_.pop_front();
    absl::Status status = co_await std::move(work.task);
    if (!status.ok()) {
      ++failed;
      report_(status, work.location);
    }
  }
  closed_ = true;
  co_return failed;
}

}  // namespace cloud::internal
