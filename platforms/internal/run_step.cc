#include "platforms/internal/run_step.h"

#include <cstdio>
#include <exception>

#include "scheduler/unhandled_exception.h"

namespace scheduler::platform_internal {

void RunStep(Runnable runnable) {
  try {
    runnable.Run();
  } catch (...) {
    // `runnable` is consumed and its task may be gone: only the exception can
    // be described.
    std::fprintf(stderr,
                 "scheduler: an exception escaped a task step (thrown by an "
                 "unhandled-exception handler?): %s; the thread keeps running\n",
                 DescribeException(std::current_exception()).c_str());
    std::fflush(stderr);
  }
}

}  // namespace scheduler::platform_internal
