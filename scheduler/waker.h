// Waker: a thread-safe handle that asks a suspended task to be run again.
//
// `Wake()` never resumes the task inline: it hands a `Runnable` for the task
// to the task's own scheduler, so foreground tasks still run on the main
// thread and the TestScheduler still decides the order. Waking a task that is
// already scheduled, running (it will be rescheduled after its step), finished
// or cancelled is safe and cheap.
//
// Authors of custom awaitables get a Waker from `internal::SuspendCurrentTask`
// in `await_suspend`. A Waker is tied to the suspension it was made for: once
// the task has resumed from it, waking (any copy of) it does nothing, so a
// Waker handed to several wakers (as `Race` does) or kept too long cannot
// resume the task early at a later await (task_core.h, STALE WAKE-UPS); that
// holds even for the Waker of an `await_suspend` that returned false, which
// goes stale when the step's next await asks for a Waker. Contract left to
// the awaitable: wake only when the awaitable is ready (a task woken for the
// suspension it is in, while its awaitable is not ready, resumes early).
#ifndef SCHEDULER_WAKER_H_
#define SCHEDULER_WAKER_H_

#include <cstdint>

namespace scheduler {

namespace internal {
class TaskCoreBase;
}  // namespace internal

class Waker {
 public:
  Waker() = default;
  Waker(const Waker& other);
  Waker(Waker&& other) noexcept : core_(other.core_), epoch_(other.epoch_) {
    other.core_ = nullptr;
  }
  Waker& operator=(Waker other) noexcept;
  ~Waker();

  // Schedules the task if it is suspended. Consumes nothing; may be called
  // from any thread.
  void Wake() const;

  explicit operator bool() const { return core_ != nullptr; }

 private:
  friend class internal::TaskCoreBase;
  // Takes a new reference.
  Waker(internal::TaskCoreBase* core, uint32_t epoch);

  internal::TaskCoreBase* core_ = nullptr;
  uint32_t epoch_ = 0;  // the suspension it wakes (task_core.h)
};

}  // namespace scheduler

#endif  // SCHEDULER_WAKER_H_
