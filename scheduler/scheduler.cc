#include "scheduler/scheduler.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <utility>

#include "scheduler/internal/scheduler_anchor.h"
#include "scheduler/internal/task_core.h"

namespace scheduler {

Scheduler::Scheduler(std::shared_ptr<SchedulerContext> context) : context_(std::move(context)) {
  if (context_ == nullptr) {
    std::fprintf(stderr, "A Scheduler was constructed with a null SchedulerContext.\n");
    std::fflush(stderr);
    std::abort();
  }
}

Scheduler::~Scheduler() {
  if (internal::SchedulerAnchor* anchor = anchor_.load(std::memory_order_acquire)) {
    internal::SchedulerAnchor::ReleaseFromScheduler(anchor);
  }
}

void Scheduler::CancelLiveTasks() {
  // No anchor: no task was ever spawned here, and any spawned from now on is
  // refused by the shut-down scheduler before its first step.
  if (internal::SchedulerAnchor* anchor = anchor_.load(std::memory_order_acquire)) {
    internal::TaskCoreBase::CancelLiveTasks(*anchor);
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

int NumCpus() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

}  // namespace scheduler
