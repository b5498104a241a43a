#include "scheduler/scheduler.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "scheduler/unhandled_exception.h"

namespace scheduler {

void Scheduler::ScheduleLabeled(Runnable runnable, TaskLabel) { Schedule(std::move(runnable)); }

void Scheduler::ScheduleForeground(Runnable runnable) {
  std::fprintf(stderr,
               "This scheduler has no main thread, but foreground %s was scheduled on it. Use a "
               "scheduler with a main-thread run loop (a platform dispatcher or the "
               "TestScheduler).\n",
               DescribeTask(runnable.metadata()).c_str());
  std::fflush(stderr);
  std::abort();
}

TaskId Scheduler::NextTaskId() {
  static std::atomic<uint64_t> next{1};
  return TaskId(next.fetch_add(1, std::memory_order_relaxed));
}

void Scheduler::OnUnhandledException(const TaskMetadata& task, std::exception_ptr error) {
  ReportUnhandledException(task, error);
}

int NumCpus() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

}  // namespace scheduler
