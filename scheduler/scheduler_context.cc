#include "scheduler/scheduler_context.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "scheduler/scheduler.h"
#include "scheduler/unhandled_exception.h"

namespace scheduler {
namespace {

// Several observers as one, so a task holds a single pointer whatever their
// number. Immutable: adding an observer makes a new fan-out.
class FanOutObserver final : public TaskObserver {
 public:
  explicit FanOutObserver(std::vector<std::shared_ptr<TaskObserver>> observers)
      : observers_(std::move(observers)) {}

  void OnTaskSpawned(const TaskMetadata& task) override {
    for (const auto& observer : observers_) observer->OnTaskSpawned(task);
  }
  void OnTaskFinished(const TaskMetadata& task) override {
    for (const auto& observer : observers_) observer->OnTaskFinished(task);
  }

 private:
  const std::vector<std::shared_ptr<TaskObserver>> observers_;
};

}  // namespace

SchedulerContext::~SchedulerContext() = default;

TaskId SchedulerContext::NextTaskId() {
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

int SchedulerContext::NumCpus() const { return ::scheduler::NumCpus(); }

void SchedulerContext::OnUnhandledException(const TaskMetadata& task, std::exception_ptr error) {
  ReportUnhandledException(task, error);
}

void SchedulerContext::AddTaskObserver(std::shared_ptr<TaskObserver> observer) {
  if (observer == nullptr) return;
  absl::MutexLock lock(&observer_mu_);
  observers_.push_back(std::move(observer));
  observer_ =
      observers_.size() == 1 ? observers_.front() : std::make_shared<FanOutObserver>(observers_);
  has_observer_.store(true, std::memory_order_release);
}

}  // namespace scheduler
