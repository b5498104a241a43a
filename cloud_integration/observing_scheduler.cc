#include "cloud_integration/observing_scheduler.h"

#include <utility>

#include "cloud_integration/internal/fatal.h"

namespace cloud {
namespace {

using scheduler::TaskMetadata;
using scheduler::TaskObserver;

// Tells `first`, then `second`. Both are immutable after construction and
// thread-safe themselves, so the fan-out needs no lock.
class FanOutObserver final : public TaskObserver {
 public:
  FanOutObserver(std::shared_ptr<TaskObserver> first, std::shared_ptr<TaskObserver> second)
      : first_(std::move(first)), second_(std::move(second)) {}

  void OnTaskSpawned(const TaskMetadata& task) override {
    first_->OnTaskSpawned(task);
    second_->OnTaskSpawned(task);
  }
  void OnTaskFinished(const TaskMetadata& task) override {
    first_->OnTaskFinished(task);
    second_->OnTaskFinished(task);
  }

 private:
  const std::shared_ptr<TaskObserver> first_;
  const std::shared_ptr<TaskObserver> second_;
};

std::shared_ptr<TaskObserver> Combine(scheduler::Scheduler& inner,
                                      std::shared_ptr<TaskObserver> added) {
  if (added == nullptr) internal::Fatal("ObservingScheduler with a null observer");
  std::shared_ptr<TaskObserver> existing = inner.GetTaskObserver();
  if (existing == nullptr) return added;
  return std::make_shared<FanOutObserver>(std::move(added), std::move(existing));
}

std::shared_ptr<scheduler::Scheduler> NonNull(std::shared_ptr<scheduler::Scheduler> inner) {
  if (inner == nullptr) internal::Fatal("ObservingScheduler with a null scheduler");
  return inner;
}

}  // namespace

ObservingScheduler::ObservingScheduler(std::shared_ptr<scheduler::Scheduler> inner,
                                       std::shared_ptr<TaskObserver> observer)
    : inner_(NonNull(std::move(inner))), observer_(Combine(*inner_, std::move(observer))) {}

void ObservingScheduler::Schedule(scheduler::Runnable runnable) {
  inner_->Schedule(std::move(runnable));
}

void ObservingScheduler::ScheduleLabeled(scheduler::Runnable runnable, scheduler::TaskLabel label) {
  inner_->ScheduleLabeled(std::move(runnable), label);
}

void ObservingScheduler::ScheduleForeground(scheduler::Runnable runnable) {
  inner_->ScheduleForeground(std::move(runnable));
}

void ObservingScheduler::ScheduleAfter(scheduler::Duration delay, scheduler::Runnable runnable) {
  inner_->ScheduleAfter(delay, std::move(runnable));
}

bool ObservingScheduler::Park(std::optional<scheduler::Duration> timeout) {
  return inner_->Park(timeout);
}

scheduler::Unparker ObservingScheduler::GetUnparker() { return inner_->GetUnparker(); }

bool ObservingScheduler::IsMainThread() const { return inner_->IsMainThread(); }

scheduler::Instant ObservingScheduler::Now() const { return inner_->Now(); }

scheduler::TaskId ObservingScheduler::NextTaskId() { return inner_->NextTaskId(); }

scheduler::TestControls* ObservingScheduler::GetTestControls() { return inner_->GetTestControls(); }

void ObservingScheduler::OnUnhandledException(const TaskMetadata& task, std::exception_ptr error) {
  inner_->OnUnhandledException(task, std::move(error));
}

}  // namespace cloud
