#include "gpui_integration/internal/scope_scheduler.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "scheduler/current_task.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"
#include "scheduler/task_metadata.h"

namespace gpui::internal {
namespace {

// The scopes whose children are being stepped on this thread, innermost
// first. Steps nest (a pump's step runs a child's step), so this is a stack.
struct RunningChild {
  const ScopeScheduler* scope;
  const RunningChild* outer;
};
thread_local const RunningChild* running_children = nullptr;

class RunningChildMark {
 public:
  explicit RunningChildMark(const ScopeScheduler* scope) : entry_{scope, running_children} {
    running_children = &entry_;
  }
  ~RunningChildMark() { running_children = entry_.outer; }
  RunningChildMark(const RunningChildMark&) = delete;
  RunningChildMark& operator=(const RunningChildMark&) = delete;

 private:
  RunningChild entry_;
};

}  // namespace

ScopeScheduler::ChildToken::ChildToken(std::shared_ptr<ScopeScheduler> owner)
    : owner_(std::move(owner)) {
  absl::MutexLock lock(&owner_->mu_);
  ++owner_->live_children_;
}

ScopeScheduler::ChildToken::~ChildToken() {
  if (owner_ == nullptr) return;
  // The waiter in WaitForChildFrames wakes when this lock is released; the
  // shared_ptr (released after) keeps the proxy alive until then.
  absl::MutexLock lock(&owner_->mu_);
  --owner_->live_children_;
}

ScopeScheduler::ChildToken ScopeScheduler::NewChild() { return ChildToken(shared_from_this()); }

ScopeScheduler::PumpTicket::~PumpTicket() {
  if (owner_ == nullptr || used_) return;
  // TakeSlot has released its lock by the time `unrun` is dropped.
  scheduler::Runnable unrun = owner_->TakeSlot(slot_);
}

void ScopeScheduler::PumpTicket::Run() {
  used_ = true;
  scheduler::Runnable runnable = owner_->TakeSlot(slot_);
  if (!runnable) return;  // the scope closed and dropped it
  RunningChildMark mark(owner_.get());
  runnable.Run();
}

scheduler::Runnable ScopeScheduler::TakeSlot(uint64_t slot) {
  absl::MutexLock lock(&mu_);
  auto it = queued_.find(slot);
  if (it == queued_.end()) return scheduler::Runnable();
  scheduler::Runnable runnable = std::move(it->second);
  queued_.erase(it);
  return runnable;
}

scheduler::Future<void> ScopeScheduler::Pump(PumpTicket ticket) {
  ticket.Run();
  co_return;
}

void ScopeScheduler::Enqueue(scheduler::Runnable runnable) {
  std::shared_ptr<scheduler::Scheduler> target = target_.lock();
  const std::optional<scheduler::TaskLabel> label = runnable.metadata().label;
  const std::source_location location = runnable.metadata().location;
  uint64_t slot;
  {
    absl::MutexLock lock(&mu_);
    // A rejected Runnable is dropped when this function returns, unlocked:
    // dropping it destroys a child frame, whose destructors may call back.
    if (closed_ || target == nullptr) return;
    slot = next_slot_++;
    queued_.emplace(slot, std::move(runnable));
  }
  scheduler::Future<void> pump = Pump(PumpTicket(shared_from_this(), slot));
  // The pump carries the child's label and spawn location, so the real
  // scheduler deprioritizes it with the child and reports it as the child.
  if (label.has_value()) {
    scheduler::SpawnLabeled(target, *label, std::move(pump), location).Detach();
  } else {
    scheduler::Spawn(target, std::move(pump), location).Detach();
  }
}

void ScopeScheduler::Schedule(scheduler::Runnable runnable) { Enqueue(std::move(runnable)); }

void ScopeScheduler::ScheduleLabeled(scheduler::Runnable runnable, scheduler::TaskLabel) {
  Enqueue(std::move(runnable));  // the label is in the metadata
}

void ScopeScheduler::ScheduleAfter(scheduler::Duration, scheduler::Runnable runnable) {
  scheduler::internal::FatalError("a delayed Runnable was scheduled on a gpui::Scope: " +
                                  scheduler::DescribeTask(runnable.metadata()) +
                                  ". Spawn timers on the executor, not on a scope.");
}

std::vector<scheduler::Runnable> ScopeScheduler::Close() {
  std::vector<scheduler::Runnable> queued;
  absl::MutexLock lock(&mu_);
  closed_ = true;
  queued.reserve(queued_.size());
  for (auto& [slot, runnable] : queued_) queued.push_back(std::move(runnable));
  queued_.clear();
  return queued;
}

bool ScopeScheduler::RunningChildOnThisThread() const {
  for (const RunningChild* c = running_children; c != nullptr; c = c->outer) {
    if (c->scope == this) return true;
  }
  return false;
}

void ScopeScheduler::WaitForChildFrames(std::source_location scope_location) {
  absl::MutexLock lock(&mu_);
  if (live_children_ == 0) return;
  if (RunningChildOnThisThread()) {
    const scheduler::TaskMetadata* current = scheduler::CurrentTaskMetadata();
    scheduler::internal::FatalError(absl::StrCat(
        "gpui::Scope created at ", scheduler::FormatLocation(scope_location),
        " was destroyed from inside a step of one of its own children",
        current != nullptr ? " (" + scheduler::DescribeTask(*current) + ")" : "",
        ", which still borrows from the scope's frame; the scope cannot outlive the step it is "
        "waiting for. Do not cancel the task that owns a scope from inside that scope."));
  }
  mu_.Await(absl::Condition(
      +[](int64_t* live) { return *live == 0; }, &live_children_));
}

// --- Forwarding to the real scheduler. ---

bool ScopeScheduler::Park(std::optional<scheduler::Duration> timeout) {
  std::shared_ptr<scheduler::Scheduler> target = target_.lock();
  return target != nullptr && target->Park(timeout);
}

scheduler::Unparker ScopeScheduler::GetUnparker() {
  std::shared_ptr<scheduler::Scheduler> target = target_.lock();
  return target == nullptr ? scheduler::Unparker() : target->GetUnparker();
}

bool ScopeScheduler::IsMainThread() const {
  std::shared_ptr<scheduler::Scheduler> target = target_.lock();
  return target != nullptr && target->IsMainThread();
}

scheduler::Instant ScopeScheduler::Now() const {
  std::shared_ptr<scheduler::Scheduler> target = target_.lock();
  return target == nullptr ? std::chrono::steady_clock::now() : target->Now();
}

scheduler::TaskId ScopeScheduler::NextTaskId() {
  std::shared_ptr<scheduler::Scheduler> target = target_.lock();
  return target == nullptr ? Scheduler::NextTaskId() : target->NextTaskId();
}

std::shared_ptr<scheduler::TaskObserver> ScopeScheduler::GetTaskObserver() {
  std::shared_ptr<scheduler::Scheduler> target = target_.lock();
  return target == nullptr ? nullptr : target->GetTaskObserver();
}

scheduler::TestControls* ScopeScheduler::GetTestControls() {
  std::shared_ptr<scheduler::Scheduler> target = target_.lock();
  return target == nullptr ? nullptr : target->GetTestControls();
}

void ScopeScheduler::OnUnhandledException(const scheduler::TaskMetadata& task,
                                          std::exception_ptr error) {
  std::shared_ptr<scheduler::Scheduler> target = target_.lock();
  if (target != nullptr) {
    target->OnUnhandledException(task, error);
  } else {
    Scheduler::OnUnhandledException(task, error);
  }
}

}  // namespace gpui::internal
