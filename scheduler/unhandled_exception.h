// What happens to an exception that escapes a detached task.
//
// An exception thrown by a task is rethrown by `co_await task`. If nobody can
// ever await it (the task was detached), the task's scheduler receives it via
// `Scheduler::OnUnhandledException`, whose default calls the process-wide
// handler below. The default handler prints the task's spawn location and the
// exception's `what()` to stderr, then calls `std::terminate`: silently
// swallowing a failure would hide bugs. The thread that ran the step never
// unwinds past the task; worker threads survive.
#ifndef SCHEDULER_UNHANDLED_EXCEPTION_H_
#define SCHEDULER_UNHANDLED_EXCEPTION_H_

#include <exception>
#include <functional>
#include <string>

#include "scheduler/task_metadata.h"

namespace scheduler {

using UnhandledExceptionHandler =
    std::function<void(const TaskMetadata& task, std::exception_ptr error)>;

// Replaces the process-wide handler and returns the previous one. Passing an
// empty function restores the default. Thread-safe.
UnhandledExceptionHandler SetUnhandledExceptionHandler(UnhandledExceptionHandler handler);

// Calls the current process-wide handler. Thread-safe.
void ReportUnhandledException(const TaskMetadata& task, std::exception_ptr error);

// "what()" of a std::exception, or a placeholder for other thrown types.
std::string DescribeException(std::exception_ptr error);

}  // namespace scheduler

#endif  // SCHEDULER_UNHANDLED_EXCEPTION_H_
