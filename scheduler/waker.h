// Waker: a thread-safe handle that asks a suspended task to be run again.
//
// `Wake()` never resumes the task inline: it hands a `Runnable` for the task
// to the task's own scheduler, so foreground tasks still run on the main
// thread and the TestScheduler still decides the order. Waking a task that is
// already scheduled, running (it will be rescheduled after its step), finished
// or cancelled is safe and cheap.
//
// Authors of custom awaitables get a Waker from `internal::SuspendCurrentTask`
// in `await_suspend`. Contract: wake once per registration; a task woken when
// its awaitable is not ready would resume early.
#ifndef SCHEDULER_WAKER_H_
#define SCHEDULER_WAKER_H_

namespace scheduler {

namespace internal {
class TaskCoreBase;
}  // namespace internal

class Waker {
 public:
  Waker() = default;
  Waker(const Waker& other);
  Waker(Waker&& other) noexcept : core_(other.core_) { other.core_ = nullptr; }
  Waker& operator=(Waker other) noexcept;
  ~Waker();

  // Schedules the task if it is suspended. Consumes nothing; may be called
  // from any thread.
  void Wake() const;

  explicit operator bool() const { return core_ != nullptr; }

 private:
  friend class internal::TaskCoreBase;
  explicit Waker(internal::TaskCoreBase* core);  // takes a new reference

  internal::TaskCoreBase* core_ = nullptr;
};

}  // namespace scheduler

#endif  // SCHEDULER_WAKER_H_
