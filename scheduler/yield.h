// Yield: give other tasks a turn.
//
//   co_await Yield();
//
// Suspends the current task and immediately asks its scheduler to run it
// again, behind whatever is already queued. Under the TestScheduler this is a
// scheduling point where another task may be chosen.
#ifndef SCHEDULER_YIELD_H_
#define SCHEDULER_YIELD_H_

#include <coroutine>

#include "scheduler/internal/task_core.h"

namespace scheduler {

class YieldAwaitable {
 public:
  using IsSchedulerAwaitable = void;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const {
    // The task is still running, so this only marks it for rescheduling once
    // the step returns (see task_core.h).
    internal::SuspendCurrentTask(h).Wake();
  }
  void await_resume() const noexcept {}
};

inline YieldAwaitable Yield() { return {}; }

}  // namespace scheduler

#endif  // SCHEDULER_YIELD_H_
