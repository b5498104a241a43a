#include "scheduler/scheduler.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "scheduler/internal/scheduler_anchor.h"
#include "scheduler/unhandled_exception.h"

namespace scheduler {

Scheduler::~Scheduler() {
  if (internal::SchedulerAnchor* anchor = anchor_.load(std::memory_order_acquire)) {
    internal::SchedulerAnchor::ReleaseFromScheduler(anchor);
  }
}

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
  // Each thread takes ids in blocks, so that spawning on several workers does
  // not contend on one counter; ids stay unique process-wide (not ordered).
  constexpr uint64_t kBlock = 1024;
  static std::atomic<uint64_t> next_block{1};
  thread_local uint64_t next = 0;
  thread_local uint64_t end = 0;
  if (next == end) {
    next = next_block.fetch_add(kBlock, std::memory_order_relaxed);
    end = next + kBlock;
  }
  return TaskId(next++);
}

void Scheduler::OnUnhandledException(const TaskMetadata& task, std::exception_ptr error) {
  ReportUnhandledException(task, error);
}

int NumCpus() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

}  // namespace scheduler
