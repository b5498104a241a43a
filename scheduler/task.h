// Task<T>: the handle of a spawned future.
//
// `Spawn` (or an executor's `Spawn`) turns a `Future<T>` into a running task
// and returns its Task. The handle decides the task's fate:
//
//   * `co_await std::move(task)` (or `co_await task`) suspends until the task
//     finishes, then yields its value or rethrows its exception. A task can be
//     awaited once. If the task was cancelled instead (its scheduler dropped
//     its Runnable, e.g. at shutdown), the awaiter gets `TaskCancelledError`,
//     always delivered as a wake-up through the awaiter's own scheduler, even
//     if the cancellation came before the `co_await`: so when that scheduler
//     is shutting down too, it refuses the wake-up and the awaiter is
//     cancelled quietly instead of seeing an error in the middle of shutdown.
//     (The exception: a future handed back by `BlockWithTimeout` is driven
//     inline by whoever awaits it, so it sees the error in that task's step.)
//   * Destroying the Task cancels the task: its frame is destroyed at its
//     current suspension point (locals' destructors run) and it is never
//     resumed. If a step is running on another thread at that moment, the
//     cancellation takes effect when that step returns; destruction does not
//     wait for it. If the task is idle, the frame is destroyed before the
//     destructor returns, on the calling thread.
//   * `std::move(task).Fallible()` is a Future that awaits the task like
//     `co_await`, but reports cancellation as an empty result instead of
//     throwing `TaskCancelledError` (Zed's `FallibleTask`): a
//     `std::optional<T>`, or for `Task<void>` an `absl::Status` (OK, or
//     CancelledError naming the task). An exception thrown by the task itself
//     still propagates.
//   * `Detach()` lets the task run to completion with nobody waiting. An
//     exception escaping a detached task goes to its scheduler's
//     `OnUnhandledException` (see unhandled_exception.h).
//
// Thread-safety: a Task is a move-only handle owned by one thread at a time;
// the task it controls may run anywhere. `IsReady()` may race benignly with
// completion (it reports a snapshot).
#ifndef SCHEDULER_TASK_H_
#define SCHEDULER_TASK_H_

#include <coroutine>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "scheduler/future.h"
#include "scheduler/ids.h"
#include "scheduler/internal/typed_task_core.h"
#include "scheduler/task_cancelled_error.h"

namespace scheduler {

namespace internal {
struct TaskAccess;
}  // namespace internal

// What `Task<T>::Fallible()` yields: the value, or nothing if the task was
// cancelled; for `Task<void>`, OK or CancelledError.
template <typename T>
using FallibleResult = std::conditional_t<std::is_void_v<T>, absl::Status, std::optional<T>>;

template <typename T>
class [[nodiscard]] Task {
 public:
  using value_type = T;
  using IsSchedulerAwaitable = void;

  // An empty handle (as after a move). Awaiting it is a fatal error.
  Task() = default;
  Task(Task&& other) noexcept : core_(std::exchange(other.core_, nullptr)) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      Reset();
      core_ = std::exchange(other.core_, nullptr);
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { Reset(); }

  // A task that is already finished with `value` (no scheduler involved).
  template <typename U = T>
  requires(!std::is_void_v<U>) static Task
      Ready(U value, std::source_location location = std::source_location::current()) {
    return Task(internal::TaskCore<T>::Ready(ReadyMetadata(location), std::move(value)));
  }
  template <typename U = T>
  requires std::is_void_v<U>
  static Task Ready(std::source_location location = std::source_location::current()) {
    return Task(internal::TaskCore<void>::Ready(ReadyMetadata(location), internal::Unit{}));
  }

  // Lets the task finish on its own; this handle becomes empty.
  void Detach() {
    if (core_ == nullptr) internal::FatalError("Task::Detach() on an empty Task");
    core_->Detach();  // consumes the handle's reference
    core_ = nullptr;
  }

  // True once the task has finished and its result (a value or an
  // exception) is ready: awaiting it will not suspend.
  bool IsReady() const { return core_ != nullptr && core_->HasResult(); }
  // True once the task was cancelled before it had a result: it never will,
  // and awaiting it throws TaskCancelledError. A task is over when it is
  // `IsReady() || IsCancelled()`.
  bool IsCancelled() const { return core_ != nullptr && core_->IsCancelled(); }

  bool valid() const { return core_ != nullptr; }
  TaskId id() const { return core_ == nullptr ? TaskId() : core_->metadata().id; }
  // Metadata of the task; must not be empty.
  const TaskMetadata& metadata() const { return Checked("Task::metadata")->metadata(); }

  class Awaiter {
   public:
    explicit Awaiter(internal::TaskCore<T>* core) : core_(core) {}
    bool await_ready() const noexcept { return core_->HasResult(); }
    bool await_suspend(std::coroutine_handle<> h) {
      if (internal::CurrentTask() == core_) {
        internal::FatalError(DescribeTask(core_->metadata()) + " awaits itself (deadlock)");
      }
      Waker waker = internal::SuspendCurrentTask(h);
      if (core_->RegisterAwaiter(waker)) return true;
      if (core_->HasResult()) return false;  // finished meanwhile: take the result now
      // Cancelled, and its frame is gone (RegisterAwaiter refuses only then):
      // learn it the way a registered awaiter would, through our own scheduler
      // (see the file comment). Waking ourselves inside our own step only marks
      // us scheduled; the step's runner hands out the Runnable when it ends.
      waker.Wake();
      return true;
    }
    T await_resume() {
      if constexpr (std::is_void_v<T>) {
        core_->TakeResult("co_await Task");
      } else {
        return core_->TakeResult("co_await Task");
      }
    }

   private:
    internal::TaskCore<T>* core_;
  };

  // Called by `Future`'s await_transform with the `co_await`'s location: an
  // empty Task (moved from, or never assigned) and a Task whose result was
  // already taken are fatal errors naming that line.
  void CheckAwaitedAt(std::source_location where) const {
    if (core_ == nullptr) {
      internal::FatalError("co_await Task on an empty Task at " + FormatLocation(where) +
                           " (it was moved from, or never assigned)");
    }
    if (core_->result_taken()) {
      internal::FatalError("co_await Task at " + FormatLocation(where) + ": the result of " +
                           DescribeTask(core_->metadata()) +
                           " was already taken (a Task can be awaited once)");
    }
  }

  Awaiter operator co_await() & { return Awaiter(Checked("co_await Task")); }
  Awaiter operator co_await() && { return Awaiter(Checked("co_await Task")); }

  // A Future that waits for the task to finish and yields its value, or an
  // empty result (see FallibleResult) if the task was cancelled (for example
  // because its scheduler shut down) instead of throwing TaskCancelledError.
  // An exception thrown by the task propagates as with `co_await`. Consumes
  // the handle; the Future owns the task from then on, so dropping the
  // Future unawaited cancels the task, like dropping the Task. An empty Task
  // is a fatal error naming `location`.
  Future<FallibleResult<T>> Fallible(
      std::source_location location = std::source_location::current()) && {
    if (core_ == nullptr) {
      internal::FatalError("Task::Fallible() on an empty Task, called at " +
                           FormatLocation(location));
    }
    return AwaitFallible(std::move(*this));
  }

  // For `Block` and tests: the result of a finished task (see TakeResult in
  // typed_task_core.h). Must be `IsReady() || IsCancelled()`.
  internal::Stored<T> TakeResult(const char* operation) {
    return Checked(operation)->TakeResult(operation);
  }

 private:
  friend struct internal::TaskAccess;

  explicit Task(internal::TaskCore<T>* core) : core_(core) {}

  // Waits until the task has completed or been cancelled, taking nothing.
  class FinishAwaiter {
   public:
    using IsSchedulerAwaitable = void;
    explicit FinishAwaiter(internal::TaskCore<T>* core) : inner_(core) {}
    bool await_ready() const noexcept { return inner_.await_ready(); }
    bool await_suspend(std::coroutine_handle<> h) { return inner_.await_suspend(h); }
    void await_resume() const noexcept {}

   private:
    Awaiter inner_;
  };

  static Future<FallibleResult<T>> AwaitFallible(Task task) {
    co_await FinishAwaiter(task.core_);
    if (!task.core_->HasResult()) {
      if constexpr (std::is_void_v<T>) {
        co_return absl::CancelledError(DescribeTask(task.core_->metadata()) +
                                       " was cancelled before it finished");
      } else {
        co_return std::nullopt;
      }
    }
    if constexpr (std::is_void_v<T>) {
      task.core_->TakeResult("Task::Fallible");
      co_return absl::OkStatus();
    } else {
      co_return std::optional<T>(task.core_->TakeResult("Task::Fallible"));
    }
  }

  static TaskMetadata ReadyMetadata(std::source_location location) {
    TaskMetadata metadata;
    metadata.location = location;
    return metadata;
  }

  internal::TaskCore<T>* Checked(const char* operation) const {
    if (core_ == nullptr) internal::FatalError(std::string(operation) + " on an empty Task");
    return core_;
  }

  void Reset() {
    if (core_ == nullptr) return;
    core_->Cancel();  // consumes the handle's reference
    core_ = nullptr;
  }

  internal::TaskCore<T>* core_ = nullptr;
};

namespace internal {
// Lets the spawn helpers wrap a freshly created core (which holds the handle's
// reference) into a Task.
struct TaskAccess {
  template <typename T>
  static Task<T> Wrap(TaskCore<T>* core) {
    return Task<T>(core);
  }
  template <typename T>
  static TaskCoreBase* Core(const Task<T>& task) {
    return task.core_;
  }
};
}  // namespace internal

}  // namespace scheduler

#endif  // SCHEDULER_TASK_H_
