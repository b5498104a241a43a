#include "platforms/internal/dispatcher_step.h"

#include <cstdio>
#include <utility>

#include "scheduler/internal/task_core.h"
#include "scheduler/unhandled_exception.h"

namespace scheduler::platform_internal {
namespace {

// A dispatcher whose last reference went inside a step on this thread.
thread_local Scheduler* delete_after_step = nullptr;

}  // namespace

void DeferDeletion(Scheduler* dispatcher) { delete_after_step = dispatcher; }

void DeleteDeferredDispatcher() {
  if (delete_after_step != nullptr) delete std::exchange(delete_after_step, nullptr);
}

void RunDispatcherCallback(absl::FunctionRef<void()> callback, const Scheduler* dispatcher,
                           const char* what) {
  {
    internal::ScopedSchedulerPin pinned(dispatcher);
    try {
      callback();
    } catch (...) {
      std::fprintf(stderr, "scheduler: an exception escaped %s: %s; the thread keeps running\n",
                   what, DescribeException(std::current_exception()).c_str());
      std::fflush(stderr);
    }
  }
  DeleteDeferredDispatcher();
}

void RunDispatcherStep(Runnable runnable, const Scheduler* dispatcher) {
  // `runnable` is consumed and its task may be gone by the time an exception
  // is reported: only the exception can be described.
  RunDispatcherCallback([&runnable] { runnable.Run(); }, dispatcher,
                        "a task step (thrown by an unhandled-exception handler?)");
}

}  // namespace scheduler::platform_internal
