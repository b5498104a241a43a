// Internal: the task core for a `Future<T>`: owns the frame, then the result.
#ifndef SCHEDULER_INTERNAL_TYPED_TASK_CORE_H_
#define SCHEDULER_INTERNAL_TYPED_TASK_CORE_H_

#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "scheduler/future.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/task_cancelled_error.h"

namespace scheduler {

namespace internal {

template <typename T>
class TaskCore final : public TaskCoreBase {
 public:
  // A task that runs `future`. An empty `Future<void>` completes on its first
  // step without a frame (this is what timers are).
  TaskCore(const std::shared_ptr<Scheduler>& scheduler, ScheduleMode mode, TaskMetadata metadata,
           Future<T> future)
      : TaskCoreBase(scheduler, mode, std::move(metadata), /*with_handle=*/true),
        future_(std::move(future)) {
    resume_point_ = future_.handle();
  }

  // An already-completed task (`Task<T>::Ready`).
  TaskCore(TaskMetadata metadata, Stored<T> value)
      : TaskCoreBase(nullptr, ScheduleMode::kBackground, std::move(metadata),
                     /*with_handle=*/true) {
    value_.emplace(std::move(value));
    MarkCompletedAtConstruction();
  }

  // Moves the result out or rethrows the task's exception. Valid once, after
  // `IsDone()`; a cancelled task throws `TaskCancelledError`.
  // Whether TakeResult succeeded already. For the handle's owner only.
  bool result_taken() const { return taken_; }

  Stored<T> TakeResult(const char* operation) {
    if (!HasResult()) {
      throw TaskCancelledError(std::string(operation) + ": " + DescribeTask(metadata()) +
                               " was cancelled before it finished");
    }
    if (taken_) {
      FatalError(std::string(operation) + ": the result of " + DescribeTask(metadata()) +
                 " was already taken (a Task can be awaited once)");
    }
    taken_ = true;
    if (error_) std::rethrow_exception(error_);
    return std::move(*value_);
  }

 private:
  bool ResumeStep(std::coroutine_handle<> resume_point) override {
    if (!future_.valid()) {
      if constexpr (std::is_void_v<T>) {
        value_.emplace();
        return true;
      } else {
        FatalError("a task without a frame must be a Future<void> (timer)");
      }
    }
    resume_point.resume();
    if (!future_.handle().done()) return false;
    try {
      value_.emplace(future_.handle().promise().TakeResult());
    } catch (...) {
      error_ = std::current_exception();
    }
    future_ = Future<T>();  // destroy the finished frame now, not when the handle goes
    return true;
  }

  void DestroyFrame() override { future_ = Future<T>(); }
  std::exception_ptr error() const override { return error_; }

  Future<T> future_;
  std::optional<Stored<T>> value_;
  std::exception_ptr error_;
  bool taken_ = false;
};

}  // namespace internal
}  // namespace scheduler

#endif  // SCHEDULER_INTERNAL_TYPED_TASK_CORE_H_
