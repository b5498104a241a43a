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

scheduler::Future<void> ScopeScheduler::Pump(PumpTicket ticket,
                                             std::optional<scheduler::Task<void>> timer) {
  if (timer.has_value()) co_await std::move(*timer);
  ticket.Run();
}

void ScopeScheduler::Enqueue(scheduler::Runnable runnable, scheduler::Duration delay) {
  std::shared_ptr<scheduler::Scheduler> target = target_.lock();
  const scheduler::TaskMetadata& metadata = runnable.metadata();
  const std::optional<scheduler::TaskLabel> label = metadata.label;
  const std::optional<scheduler::SessionId> session = metadata.session;
  const bool foreground = metadata.is_foreground();
  const std::source_location location = metadata.location;
  uint64_t slot;
  {
    absl::MutexLock lock(&mu_);
    // A rejected Runnable is dropped when this function returns, unlocked:
    // dropping it destroys a child frame, whose destructors may call back.
    if (closed_ || target == nullptr) return;
    slot = next_slot_++;
    queued_.emplace(slot, std::move(runnable));
  }
  // A delayed child waits in its slot, not in the timer, so Close still takes
  // it back at once; the pump arms the timer on the real scheduler.
  std::optional<scheduler::Task<void>> timer;
  if (delay > scheduler::Duration::zero()) timer = scheduler::Timer(target, delay, location);
  scheduler::Future<void> pump = Pump(PumpTicket(shared_from_this(), slot), std::move(timer));
  // The pump carries the child's mode, label, session and spawn location, so
  // the real scheduler runs it where the child belongs, deprioritizes it with
  // the child and reports it as the child.
  if (foreground && session.has_value()) {
    scheduler::SpawnForeground(target, *session, std::move(pump), location).Detach();
  } else if (label.has_value()) {
    scheduler::SpawnLabeled(target, *label, std::move(pump), location).Detach();
  } else {
    scheduler::Spawn(target, std::move(pump), location).Detach();
  }
}

void ScopeScheduler::Schedule(scheduler::Runnable runnable) {
  Enqueue(std::move(runnable), scheduler::Duration::zero());
}

void ScopeScheduler::ScheduleLabeled(scheduler::Runnable runnable, scheduler::TaskLabel) {
  // The label is in the metadata.
  Enqueue(std::move(runnable), scheduler::Duration::zero());
}

void ScopeScheduler::ScheduleForeground(scheduler::Runnable runnable) {
  Enqueue(std::move(runnable), scheduler::Duration::zero());
}

void ScopeScheduler::ScheduleAfter(scheduler::Duration delay, scheduler::Runnable runnable) {
  Enqueue(std::move(runnable), delay);
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

}  // namespace gpui::internal
