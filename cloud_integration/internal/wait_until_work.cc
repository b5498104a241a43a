#include "cloud_integration/internal/wait_until_work.h"

#include <cstdio>
#include <exception>

#include "absl/strings/str_cat.h"
#include "scheduler/task_metadata.h"
#include "scheduler/unhandled_exception.h"

namespace cloud::internal {

scheduler::Future<absl::Status> CatchExceptions(scheduler::Future<absl::Status> work) {
  std::exception_ptr error;
  try {
    co_return co_await std::move(work);
  } catch (...) {
    error = std::current_exception();
  }
  // Outside the handler: a coroutine may not co_await inside a catch block,
  // and keeping both returns in one shape keeps the frame simple.
  co_return absl::InternalError(
      absl::StrCat("wait-until work threw: ", scheduler::DescribeException(error)));
}

WaitUntilErrorReporter ReporterOrDefault(WaitUntilErrorReporter reporter) {
  if (reporter) return reporter;
  return [](const absl::Status& error, std::source_location registered_at) {
    std::fprintf(stderr, "cloud: wait-until work registered at %s failed: %s\n",
                 scheduler::FormatLocation(registered_at).c_str(), error.ToString().c_str());
  };
}

void FailureList::Add(absl::Status error, std::source_location registered_at) {
  failures_.emplace_back(std::move(error), registered_at);
}

absl::Status FailureList::Combined() const {
  if (failures_.empty()) return absl::OkStatus();
  if (failures_.size() == 1) {
    const auto& [error, location] = failures_.front();
    return absl::Status(error.code(), absl::StrCat("wait-until work registered at ",
                                                   scheduler::FormatLocation(location),
                                                   " failed: ", error.message()));
  }
  std::string message = absl::StrCat(failures_.size(), " wait-until works failed:");
  for (const auto& [error, location] : failures_) {
    absl::StrAppend(&message, "\n  registered at ", scheduler::FormatLocation(location), ": ",
                    error.ToString());
  }
  return absl::Status(failures_.front().first.code(), message);
}

Response InternalErrorResponse(const absl::Status& error) {
  return Response{.status = 500, .body = absl::StrCat("worker threw: ", error.message())};
}

scheduler::Future<Response> NoOrigin(Request request) {
  co_return Response{.status = 502,
                     .body = absl::StrCat("pass-through requested for ", request.method, " ",
                                          request.path, " but no origin is configured")};
}

}  // namespace cloud::internal
