// Runnable: the unit of work a `Scheduler` receives.
//
// A Runnable is a move-only, run-once permission to advance one spawned task by
// one step: `Run()` resumes the task's coroutine until its next suspension
// point (or completion). The task's coroutine frame is never touched by anyone
// who does not hold its Runnable, which is what lets schedulers move Runnables
// between threads freely.
//
// Ownership and misuse:
//   * Destroying a Runnable without running it cancels the task: its frame is
//     destroyed right there, and whoever awaits its `Task` sees
//     `TaskCancelledError`. This is how a scheduler that shuts down with
//     pending work frees every frame.
//   * `Run()` on an empty (moved-from or already run) Runnable is a fatal error.
//   * A Runnable may be run on any thread, but the scheduler that received it
//     decides which: foreground Runnables must be run on the main thread.
#ifndef SCHEDULER_RUNNABLE_H_
#define SCHEDULER_RUNNABLE_H_

#include <utility>

#include "scheduler/task_metadata.h"

namespace scheduler {

namespace internal {
class TaskCoreBase;
struct RunnableAccess;
}  // namespace internal

class Runnable {
 public:
  Runnable() = default;
  Runnable(Runnable&& other) noexcept : core_(other.core_) { other.core_ = nullptr; }
  // Inline: queues move Runnables around (swap-remove, staging) and the old
  // value is nearly always empty, so the common case is one test.
  Runnable& operator=(Runnable&& other) noexcept {
    if (this != &other) {
      Runnable dropped(std::move(*this));
      core_ = other.core_;
      other.core_ = nullptr;
    }
    return *this;
  }
  Runnable(const Runnable&) = delete;
  Runnable& operator=(const Runnable&) = delete;
  // Inline because schedulers hand Runnables along by value: most of the
  // Runnables destroyed are moved-from, and that case is one test.
  ~Runnable() {
    if (core_ != nullptr) DropUnrun();
  }

  // Runs one step of the task. Consumes the Runnable.
  void Run();

  // The metadata of the task this Runnable advances. Must not be empty.
  const TaskMetadata& metadata() const;

  explicit operator bool() const { return core_ != nullptr; }

 private:
  friend class internal::TaskCoreBase;
  friend struct internal::RunnableAccess;
  // Adopts one reference to `core`, whose kScheduled bit the caller set.
  explicit Runnable(internal::TaskCoreBase* core) : core_(core) {}
  // Cancels the task (see the file comment); `core_` is not null.
  void DropUnrun();

  internal::TaskCoreBase* core_ = nullptr;
};

}  // namespace scheduler

#endif  // SCHEDULER_RUNNABLE_H_
