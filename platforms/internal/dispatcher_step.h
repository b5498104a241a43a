// Internal: how every OS dispatcher's threads run one task step.
#ifndef PLATFORMS_INTERNAL_DISPATCHER_STEP_H_
#define PLATFORMS_INTERNAL_DISPATCHER_STEP_H_

#include "absl/functional/function_ref.h"
#include "scheduler/runnable.h"
#include "scheduler/scheduler.h"

namespace scheduler::platform_internal {

// Runs `runnable` on a dispatcher's thread, with `dispatcher` pinned on the
// thread for the step (see REACHING THE SCHEDULER in
// scheduler/internal/task_core.h), and keeps the thread alive whatever
// happens in it.
//
// The task core already catches a task's own exceptions (they are rethrown by
// `co_await` or handed to `OnUnhandledException`), so nothing should escape
// `Run()`. Something still can: an unhandled-exception handler that throws. A
// dispatcher's threads must survive that (and on Windows and macOS an
// exception unwinding out of a thread-pool or GCD callback takes the process
// down: those frames are not C++ frames), so the exception is reported on
// stderr and swallowed here.
//
// If the step dropped the dispatcher's last reference, the dispatcher was
// shut down then and is deleted here, after the step (PlatformDispatcher::
// Destroy), so the pin stayed valid for the whole step.
void RunDispatcherStep(Runnable runnable, const Scheduler* dispatcher);

// The same protection for other code a dispatcher's main thread runs: the
// callbacks of OS event sources (platforms/linux/fd_source.h). `what` names it
// in the report of an escaped exception.
void RunDispatcherCallback(absl::FunctionRef<void()> callback, const Scheduler* dispatcher,
                           const char* what);

// Deletes the dispatcher whose deletion a step on this thread deferred, if
// any. RunDispatcherStep calls it; PlatformDispatcher::Destroy defers to it.
void DeleteDeferredDispatcher();
void DeferDeletion(Scheduler* dispatcher);

}  // namespace scheduler::platform_internal

#endif  // PLATFORMS_INTERNAL_DISPATCHER_STEP_H_
