// Internal: how the Linux dispatcher's threads run one task step.
#ifndef PLATFORMS_LINUX_INTERNAL_RUN_STEP_H_
#define PLATFORMS_LINUX_INTERNAL_RUN_STEP_H_

#include "scheduler/runnable.h"

namespace scheduler::dispatcher_internal {

// Runs `runnable` and keeps the calling thread alive whatever happens in it.
//
// The task core already catches a task's own exceptions (they are rethrown by
// `co_await` or handed to `Scheduler::OnUnhandledException`), so nothing
// should escape `Run()`. Something still can: an unhandled-exception handler
// that throws. A pool thread must survive that, so the exception is reported
// on stderr and swallowed here instead of unwinding through the thread.
void RunStep(Runnable runnable);

}  // namespace scheduler::dispatcher_internal

#endif  // PLATFORMS_LINUX_INTERNAL_RUN_STEP_H_
