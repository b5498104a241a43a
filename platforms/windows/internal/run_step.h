// Internal: how the Windows dispatcher's callbacks run one task step.
#ifndef PLATFORMS_WINDOWS_INTERNAL_RUN_STEP_H_
#define PLATFORMS_WINDOWS_INTERNAL_RUN_STEP_H_

#include "scheduler/runnable.h"

namespace scheduler::windows_internal {

// Runs `runnable`, letting no exception escape.
//
// The task core hands a task's own exceptions to `co_await` or to
// `Scheduler::OnUnhandledException`, so normally nothing escapes `Run()`. An
// unhandled-exception handler that throws still could, and an exception that
// unwinds out of a thread-pool callback takes the whole process down (the
// pool's frames are not C++ frames). It is reported on stderr and swallowed.
void RunStep(Runnable runnable);

}  // namespace scheduler::windows_internal

#endif  // PLATFORMS_WINDOWS_INTERNAL_RUN_STEP_H_
