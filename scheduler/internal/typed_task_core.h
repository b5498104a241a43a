// Internal: the task core for a `Future<T>`: owns the frame, then the result.
// It lives in the block of the frame it runs (task_block.h).
#ifndef SCHEDULER_INTERNAL_TYPED_TASK_CORE_H_
#define SCHEDULER_INTERNAL_TYPED_TASK_CORE_H_

#include <coroutine>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "scheduler/internal/task_block.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/task_cancelled_error.h"

namespace scheduler {

template <typename T>
class Future;

namespace internal {

// Stand-in for `void` where a value must be stored.
struct Unit {};
template <typename T>
using Stored = std::conditional_t<std::is_void_v<T>, Unit, T>;

template <typename T>
class FuturePromise;

template <typename T>
class TaskCore final : public TaskCoreBase {
 public:
  using Block = TaskBlock<TaskCore>;
  using Handle = std::coroutine_handle<FuturePromise<T>>;

  // A task that runs `future` (not empty); the core is built in the block of
  // its frame, which the task owns from then on.
  static TaskCore* InFrame(const std::shared_ptr<Scheduler>& scheduler, ScheduleMode mode,
                           TaskMetadata metadata, Future<T> future) {
    const Handle frame = future.Release();
    void* block = Block::BlockOfFrame(frame.address());
    TaskBlockPrefix* prefix = Block::PrefixOfBlock(block);
    if (prefix->magic != TaskBlockPrefix::kMagic || prefix->has_core) {
      FatalError("a coroutine frame without its task block (compiler layout?) or spawned twice");
    }
    TaskCore* core;
    try {
      core = ::new (Block::CoreSlotOfBlock(block))
          TaskCore(scheduler, mode, std::move(metadata), frame);
    } catch (...) {
      frame.destroy();
      throw;
    }
    prefix->has_core = true;
    return core;
  }

  // A task without a frame that completes on its first step (timers).
  static TaskCore* Frameless(const std::shared_ptr<Scheduler>& scheduler, ScheduleMode mode,
                             TaskMetadata metadata) requires std::is_void_v<T> {
    return ::new (Block::AllocateCoreAlone())
        TaskCore(scheduler, mode, std::move(metadata), Handle());
  }

  // An already-completed task (`Task<T>::Ready`).
  static TaskCore* Ready(TaskMetadata metadata, Stored<T> value) {
    return ::new (Block::AllocateCoreAlone()) TaskCore(std::move(metadata), std::move(value));
  }

  ~TaskCore() override { DestroyFrame(); }

  // Whether TakeResult succeeded already. For the handle's owner only.
  bool result_taken() const { return taken_; }

  // Moves the result out or rethrows the task's exception. Valid once, after
  // `IsDone()`; a cancelled task throws `TaskCancelledError`.
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
  TaskCore(const std::shared_ptr<Scheduler>& scheduler, ScheduleMode mode, TaskMetadata metadata,
           Handle frame)
      : TaskCoreBase(scheduler, mode, std::move(metadata), /*with_handle=*/true),
        has_frame_(frame != nullptr) {
    resume_point_ = frame;
  }

  TaskCore(TaskMetadata metadata, Stored<T> value)
      : TaskCoreBase(nullptr, ScheduleMode::kBackground, std::move(metadata),
                     /*with_handle=*/true) {
    value_.emplace(std::move(value));
    MarkCompletedAtConstruction();
  }

  Handle Frame() const { return Handle::from_address(Block::FrameOfCore(this)); }

  bool ResumeStep(std::coroutine_handle<> resume_point) override {
    if (!has_frame_) {
      if constexpr (std::is_void_v<T>) {
        value_.emplace();
        return true;
      } else {
        FatalError("a task without a frame must be a Future<void> (timer)");
      }
    }
    resume_point.resume();
    const Handle frame = Frame();
    if (!frame.done()) return false;
    try {
      value_.emplace(frame.promise().TakeResult());
    } catch (...) {
      error_ = std::current_exception();
    }
    DestroyFrame();  // now, not when the last reference goes
    return true;
  }

  // Runs the frame's destructors; the block stays until the core goes.
  void DestroyFrame() override {
    if (!has_frame_) return;
    has_frame_ = false;
    Frame().destroy();
  }
  std::exception_ptr error() const override { return error_; }

  // The flags before the exception pointer: with a small result they fit
  // in the padding after it and TaskCoreBase's tail (8 bytes per task).
  std::optional<Stored<T>> value_;
  bool has_frame_ = false;
  bool taken_ = false;
  std::exception_ptr error_;
};

}  // namespace internal
}  // namespace scheduler

#endif  // SCHEDULER_INTERNAL_TYPED_TASK_CORE_H_
