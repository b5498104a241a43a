#include "platforms/windows/internal/run_step.h"

#include <cstdio>
#include <exception>

#include "scheduler/unhandled_exception.h"

namespace scheduler::windows_internal {

void RunStep(Runnable runnable) {
  try {
    runnable.Run();
  } catch (...) {
    // The runnable is consumed and its task may be gone; only the exception
    // itself can be described.
    std::fprintf(stderr,
                 "scheduler: an exception escaped a task step on the Windows thread pool "
                 "(thrown by an unhandled-exception handler?): %s; the pool keeps running\n",
                 DescribeException(std::current_exception()).c_str());
    std::fflush(stderr);
  }
}

}  // namespace scheduler::windows_internal
