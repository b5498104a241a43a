#include "scheduler/unhandled_exception.h"

#include <cstdio>

#include "absl/synchronization/mutex.h"

namespace scheduler {
namespace {

absl::Mutex& HandlerMutex() {
  static auto* mu = new absl::Mutex;  // never destroyed: usable during exit
  return *mu;
}

UnhandledExceptionHandler& Handler() {
  static auto* handler = new UnhandledExceptionHandler;
  return *handler;
}

void DefaultHandler(const TaskMetadata& task, std::exception_ptr error) {
  std::fprintf(stderr, "Unhandled exception in detached %s: %s\n", DescribeTask(task).c_str(),
               DescribeException(error).c_str());
  std::fflush(stderr);
  std::terminate();
}

}  // namespace

std::string DescribeException(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "(exception not derived from std::exception)";
  }
}

UnhandledExceptionHandler SetUnhandledExceptionHandler(UnhandledExceptionHandler handler) {
  absl::MutexLock lock(&HandlerMutex());
  UnhandledExceptionHandler previous = std::move(Handler());
  Handler() = std::move(handler);
  return previous;
}

void ReportUnhandledException(const TaskMetadata& task, std::exception_ptr error) {
  UnhandledExceptionHandler handler;
  {
    absl::MutexLock lock(&HandlerMutex());
    handler = Handler();
  }
  if (handler) {
    handler(task, error);
  } else {
    DefaultHandler(task, error);
  }
}

}  // namespace scheduler
