#include "scheduler/combinators.h"

#include <string>

#include "scheduler/spawn.h"

namespace scheduler::internal {
namespace {

// Suspends until at least one of `branches` not yet `seen` has woken its
// awaiter (its frame is gone, its result published). The Waker goes to every
// such branch; the first wake-up resumes the task and the others are stale
// (task_core.h, STALE WAKE-UPS), so a branch finishing late cannot resume the
// task at a later await. A branch that refuses the registration has already
// finished: then the task does not suspend.
class AnyBranchFinished {
 public:
  using IsSchedulerAwaitable = void;
  AnyBranchFinished(const std::vector<TaskCoreBase*>& branches, const std::vector<bool>& seen)
      : branches_(branches), seen_(seen) {}

  bool await_ready() const {
    for (size_t i = 0; i < branches_.size(); ++i) {
      if (!seen_[i] && branches_[i]->AwaiterWoken()) return true;
    }
    return false;
  }
  bool await_suspend(std::coroutine_handle<> h) const {
    Waker waker = SuspendCurrentTask(h);
    for (size_t i = 0; i < branches_.size(); ++i) {
      if (seen_[i]) continue;
      Waker copy = waker;
      if (!branches_[i]->RegisterAwaiter(copy)) return false;
    }
    return true;
  }
  void await_resume() const noexcept {}

 private:
  const std::vector<TaskCoreBase*>& branches_;
  const std::vector<bool>& seen_;
};

// Cancels every branch not yet seen and waits until all their frames are
// gone. Branches stay registered with their handles (CancelKeepingHandle), so
// their Task objects still own them afterwards. A timer (WithTimeout's) has
// no frame, and a scheduler that keeps cancelled timers until they would
// have fired (the TestScheduler) would hold us until then: it counts as gone
// at once.
Future<void> CancelAndDrain(const std::vector<TaskCoreBase*>& branches, std::vector<bool>& seen) {
  for (size_t i = 0; i < branches.size(); ++i) {
    if (seen[i]) continue;
    branches[i]->CancelKeepingHandle();
    if (branches[i]->IsTimer()) seen[i] = true;
  }
  while (true) {
    bool all = true;
    for (size_t i = 0; i < branches.size(); ++i) {
      if (!seen[i] && branches[i]->AwaiterWoken()) seen[i] = true;
      all = all && seen[i];
    }
    if (all) co_return;
    co_await AnyBranchFinished(branches, seen);
  }
}

}  // namespace

std::shared_ptr<Scheduler> CurrentTaskScheduler(const char* operation,
                                                std::source_location location) {
  TaskCoreBase* current = CurrentTask();
  if (current == nullptr) {
    FatalError(std::string(operation) + " awaited outside of a task at " +
               FormatLocation(location) +
               "; combinators spawn their branches beside the awaiting task, so they must run "
               "inside one (Spawn/Block it, or await it from a task).");
  }
  std::shared_ptr<Scheduler> scheduler = current->LockScheduler();
  if (scheduler == nullptr) {
    throw TaskCancelledError(std::string(operation) + " at " + FormatLocation(location) +
                             ": the scheduler of " + DescribeTask(current->metadata()) +
                             " is gone");
  }
  return scheduler;
}

BranchSpawn PrepareBranch(const char* operation, std::source_location location) {
  BranchSpawn spawn;
  spawn.scheduler = CurrentTaskScheduler(operation, location);
  const TaskCoreBase* current = CurrentTask();
  spawn.mode = current->mode();
  const TaskMetadata& parent = current->metadata();
  spawn.metadata = MakeMetadata(
      *spawn.scheduler, spawn.mode == ScheduleMode::kLabeled ? parent.label : std::nullopt,
      spawn.mode == ScheduleMode::kForeground ? parent.session : std::nullopt, location);
  return spawn;
}

Future<size_t> RaceBranches(std::vector<TaskCoreBase*> branches) {
  std::vector<bool> seen(branches.size(), false);
  size_t winner = branches.size();
  while (winner == branches.size()) {
    for (size_t i = 0; i < branches.size(); ++i) {
      if (branches[i]->AwaiterWoken()) {
        winner = i;
        break;
      }
    }
    if (winner == branches.size()) co_await AnyBranchFinished(branches, seen);
  }
  seen[winner] = true;
  co_await CancelAndDrain(branches, seen);
  co_return winner;
}

Future<std::optional<size_t>> JoinBranches(std::vector<TaskCoreBase*> branches) {
  std::vector<bool> seen(branches.size(), false);
  size_t remaining = branches.size();
  while (remaining > 0) {
    for (size_t i = 0; i < branches.size(); ++i) {
      if (seen[i] || !branches[i]->AwaiterWoken()) continue;
      seen[i] = true;
      --remaining;
      if (branches[i]->Failed()) {
        co_await CancelAndDrain(branches, seen);
        co_return i;
      }
    }
    if (remaining > 0) co_await AnyBranchFinished(branches, seen);
  }
  co_return std::nullopt;
}

}  // namespace scheduler::internal
