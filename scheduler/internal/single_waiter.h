// Internal: the one-waiter protocol shared by channel and oneshot receivers.
//
// A receiver checks readiness and registers its Waker under the state's
// mutex; a producer changes the state and takes the Waker under the same
// mutex, then wakes it after unlocking. Whichever comes second sees the
// other's effect, so no wake-up is lost, and the Waker is taken exactly once
// per registration (waker.h's contract).
#ifndef SCHEDULER_INTERNAL_SINGLE_WAITER_H_
#define SCHEDULER_INTERNAL_SINGLE_WAITER_H_

#include <coroutine>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/waker.h"

namespace scheduler::internal {

// For `await_suspend`: returns false (resume at once) if `ready()` holds under
// `state.mu`, else registers the current task in `state.waiter`. `State` has
// members `absl::Mutex mu` and `Waker waiter`.
template <typename State, typename ReadyFn>
bool SuspendUnlessReady(std::coroutine_handle<> h, State& state, ReadyFn ready) {
  Waker waker = SuspendCurrentTask(h);
  absl::MutexLock lock(&state.mu);
  if (ready()) return false;
  state.waiter = std::move(waker);
  return true;
}

// For producers: runs `change` under `state.mu`; if it returns true, takes
// the waiter and wakes it after unlocking. A change that leaves the receiver
// not ready must return false: waking it then would resume it early.
template <typename State, typename ChangeFn>
void ChangeAndMaybeWake(State& state, ChangeFn change) {
  Waker waiter;
  {
    absl::MutexLock lock(&state.mu);
    if (change()) waiter = std::move(state.waiter);
  }
  waiter.Wake();
}

}  // namespace scheduler::internal

#endif  // SCHEDULER_INTERNAL_SINGLE_WAITER_H_
