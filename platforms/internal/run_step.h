// Internal: how every OS dispatcher's threads run one task step.
#ifndef PLATFORMS_INTERNAL_RUN_STEP_H_
#define PLATFORMS_INTERNAL_RUN_STEP_H_

#include "scheduler/runnable.h"

namespace scheduler::platform_internal {

// Runs `runnable` and keeps the calling thread alive whatever happens in it.
//
// The task core already catches a task's own exceptions (they are rethrown by
// `co_await` or handed to `Scheduler::OnUnhandledException`), so nothing
// should escape `Run()`. Something still can: an unhandled-exception handler
// that throws. A dispatcher's threads must survive that (and on Windows and
// macOS an exception unwinding out of a thread-pool or GCD callback takes the
// process down: those frames are not C++ frames), so the exception is
// reported on stderr and swallowed here.
void RunStep(Runnable runnable);

}  // namespace scheduler::platform_internal

#endif  // PLATFORMS_INTERNAL_RUN_STEP_H_
