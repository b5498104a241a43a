// Detach-and-log-error: fire-and-forget for tasks that report failure as a
// status.
//
// UI code spawns many tasks whose only possible outcome worth acting on is "it
// failed; tell the developer" (saving a file, refreshing a list). GPUI's
// `task.detach_and_log_err(cx)` covers that; here it is
//
//   background.DetachAndLogErr(background.Spawn(SaveAsync(path)));
//
// on `BackgroundExecutor` and `ForegroundExecutor` (see those headers), for
// `Task<absl::Status>` and `Task<absl::StatusOr<T>>`. A non-OK result is
// passed to the process-wide task-error logger together with the task's spawn
// location and the call site of `DetachAndLogErr`. The default logger prints
// one line to stderr; tests install a capturing logger with
// `ScopedTaskErrorLogger`.
//
// What is *not* logged: an OK status; a task cancelled before it finished (its
// scheduler shut down: nobody is left to care). An exception thrown by the
// task is not a status: it propagates like any detached task's exception, to
// the scheduler's unhandled-exception handler.
#ifndef GPUI_INTEGRATION_DETACH_AND_LOG_ERR_H_
#define GPUI_INTEGRATION_DETACH_AND_LOG_ERR_H_

#include <concepts>
#include <functional>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scheduler/future.h"
#include "scheduler/ids.h"
#include "scheduler/task.h"

namespace gpui {

// One failed detached task, as handed to the logger.
struct TaskError {
  absl::Status status;
  scheduler::TaskId task;
  // Where the failed task was spawned.
  std::source_location spawned_at;
  // Where `DetachAndLogErr` was called.
  std::source_location detached_at;
};

// "task#4 spawned at a.cc:10 (Save) (detached at b.cc:20 (Run)) failed: NOT_FOUND: x"
std::string FormatTaskError(const TaskError& error);

// Receives every logged error. Called on the thread that ran the awaiting
// task's step (a worker for BackgroundExecutor, the main thread for
// ForegroundExecutor); must be thread-safe if both are used.
using TaskErrorLogger = std::function<void(const TaskError& error)>;

// Replaces the process-wide logger and returns the previous one. An empty
// function restores the default (one line to stderr). Thread-safe.
TaskErrorLogger SetTaskErrorLogger(TaskErrorLogger logger);

// Passes `error` to the current logger. Thread-safe; the logger is called
// without any lock held, so it may log, spawn or set another logger.
void LogTaskError(const TaskError& error);

// Installs `logger` for its lifetime, then restores the previous one. For
// tests, which must not run concurrently with other users of the logger.
class ScopedTaskErrorLogger {
 public:
  explicit ScopedTaskErrorLogger(TaskErrorLogger logger)
      : previous_(SetTaskErrorLogger(std::move(logger))) {}
  ~ScopedTaskErrorLogger() { SetTaskErrorLogger(std::move(previous_)); }
  ScopedTaskErrorLogger(const ScopedTaskErrorLogger&) = delete;
  ScopedTaskErrorLogger& operator=(const ScopedTaskErrorLogger&) = delete;

 private:
  TaskErrorLogger previous_;
};

namespace internal {

template <typename T>
struct IsStatusOr : std::false_type {};
template <typename T>
struct IsStatusOr<absl::StatusOr<T>> : std::true_type {};

// What DetachAndLogErr accepts: tasks whose result is a status.
template <typename T>
concept StatusResult = std::same_as<T, absl::Status> || IsStatusOr<T>::value;

template <StatusResult T>
const absl::Status& StatusOf(const T& result) {
  if constexpr (std::same_as<T, absl::Status>) {
    return result;
  } else {
    return result.status();
  }
}

// Whether `error` is the scheduler's TaskCancelledError (kept out of line so
// this header needs no exception types from the task core).
bool IsTaskCancelled(std::exception_ptr error);

// The body of the task that DetachAndLogErr spawns: awaits `task`, logs a
// failure. The task is taken by value, so the frame owns it.
template <StatusResult T>
scheduler::Future<void> AwaitAndLogErr(scheduler::Task<T> task, std::source_location detached_at) {
  const scheduler::TaskId id = task.id();
  const std::source_location spawned_at = task.metadata().location;
  std::exception_ptr error;
  try {
    T result = co_await std::move(task);
    if (!StatusOf(result).ok()) {
      LogTaskError(TaskError{StatusOf(result), id, spawned_at, detached_at});
    }
  } catch (...) {
    error = std::current_exception();
  }
  if (error != nullptr && !IsTaskCancelled(error)) std::rethrow_exception(error);
}

}  // namespace internal
}  // namespace gpui

#endif  // GPUI_INTEGRATION_DETACH_AND_LOG_ERR_H_
