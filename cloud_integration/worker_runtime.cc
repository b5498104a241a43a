#include "cloud_integration/worker_runtime.h"

#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cloud_integration/internal/fatal.h"
#include "cloud_integration/internal/request_scope.h"
#include "cloud_integration/internal/wait_until_work.h"
#include "scheduler/unhandled_exception.h"

namespace cloud {
namespace {

std::shared_ptr<scheduler::Scheduler> NonNull(std::shared_ptr<scheduler::Scheduler> dispatcher,
                                              std::source_location location) {
  if (dispatcher == nullptr) {
    internal::Fatal("WorkerRuntime with a null dispatcher at " +
                    scheduler::FormatLocation(location));
  }
  return dispatcher;
}

}  // namespace

WorkerRuntime::WorkerRuntime(std::shared_ptr<scheduler::Scheduler> dispatcher, Options options,
                             std::source_location location)
    : origin_(options.origin ? std::move(options.origin) : OriginHandler(internal::NoOrigin)),
      report_(internal::ReporterOrDefault(std::move(options.on_wait_until_error))),
      executor_(NonNull(std::move(dispatcher), location), location) {}

scheduler::Future<void> WorkerRuntime::DoDelay(scheduler::Duration delay,
                                               std::source_location location) {
  co_await executor_.background().Timer(delay, location);
}

scheduler::Future<Response> WorkerRuntime::ServeRequest(Request request, RequestHandler handler) {
  ++stats_.requests_started;
  // Lives in this frame, so it outlives the handler and every wait-until task
  // (Drain awaits them all before the frame ends).
  internal::RequestScope scope(executor_, report_);
  Response response;
  std::exception_ptr error;
  try {
    response = co_await handler(request, scope, *this);
  } catch (...) {
    error = std::current_exception();
  }
  if (error != nullptr) {
    ++stats_.handler_errors;
    absl::Status status =
        absl::InternalError(absl::StrCat("handler threw: ", scheduler::DescribeException(error)));
    if (scope.pass_through_requested()) {
      ++stats_.passed_through;
      response = co_await origin_(std::move(request));
    } else {
      response = internal::InternalErrorResponse(status);
    }
  }
  // The response is ready; the request is not finished until its wait-until
  // work is.
  const uint64_t failed = co_await scope.Drain();
  stats_.wait_until_registered += scope.registered();
  stats_.wait_until_failed += failed;
  ++stats_.requests_finished;
  co_return response;
}

}  // namespace cloud
