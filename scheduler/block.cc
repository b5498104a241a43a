#include "scheduler/block.h"

namespace scheduler::internal {

void CheckNotInTask(const char* operation, std::source_location location) {
  if (TaskCoreBase* task = CurrentTask()) {
    FatalError(std::string(operation) + " called at " + FormatLocation(location) + " from inside " +
               DescribeTask(task->metadata()) +
               ". Blocking a scheduler thread can deadlock it; use co_await instead.");
  }
}

BlockScope::BlockScope(Scheduler& scheduler, const BlockInfo& info)
    : controls_(scheduler.GetTestControls()) {
  if (controls_ != nullptr) controls_->BeginBlock(info);
}

BlockScope::~BlockScope() {
  if (controls_ != nullptr) controls_->EndBlock();
}

}  // namespace scheduler::internal
