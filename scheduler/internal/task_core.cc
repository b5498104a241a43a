#include "scheduler/internal/task_core.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "scheduler/current_task.h"
#include "scheduler/scheduler.h"
#include "scheduler/unhandled_exception.h"

namespace scheduler {
namespace internal {
namespace {

thread_local TaskCoreBase* current_task = nullptr;
thread_local const Scheduler* pinned_scheduler = nullptr;
thread_local bool inside_step = false;

class InsideStepScope {
 public:
  InsideStepScope() : previous_(inside_step) { inside_step = true; }
  ~InsideStepScope() { inside_step = previous_; }

 private:
  bool previous_;
};

// Marks `core` as the running task for the duration of a step. Steps nest
// when a task drives another one (a handed-back `BlockWithTimeout` future), so
// the previous value is restored rather than cleared.
class CurrentTaskScope {
 public:
  explicit CurrentTaskScope(TaskCoreBase* core) : previous_(current_task) { current_task = core; }
  ~CurrentTaskScope() { current_task = previous_; }

 private:
  TaskCoreBase* previous_;
};

constexpr std::memory_order kAcqRel = std::memory_order_acq_rel;
constexpr std::memory_order kAcquire = std::memory_order_acquire;

}  // namespace

TaskCoreBase* CurrentTask() { return current_task; }

const Scheduler* PinnedScheduler() { return pinned_scheduler; }

bool InsideStep() { return inside_step; }

ScopedSchedulerPin::ScopedSchedulerPin(const Scheduler* scheduler) : previous_(pinned_scheduler) {
  pinned_scheduler = scheduler;
}

ScopedSchedulerPin::~ScopedSchedulerPin() { pinned_scheduler = previous_; }

}  // namespace internal

const TaskMetadata* CurrentTaskMetadata() {
  internal::TaskCoreBase* task = internal::current_task;
  return task == nullptr ? nullptr : &task->metadata();
}

namespace internal {

void FatalError(const std::string& message) {
  std::fprintf(stderr, "scheduler: fatal: %s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

constinit thread_local int waker_events_exemptions = 0;

WakerEventsExemption::WakerEventsExemption() : thread_(std::this_thread::get_id()) {
  ++waker_events_exemptions;
}

WakerEventsExemption::~WakerEventsExemption() {
  if (std::this_thread::get_id() == thread_) --waker_events_exemptions;
}

Waker SuspendCurrentTask(std::coroutine_handle<> h, std::source_location location) {
  TaskCoreBase* core = current_task;
  if (core == nullptr) {
    FatalError("an awaitable suspended outside of a spawned task at " + FormatLocation(location) +
               "; scheduler::Future runs only when spawned (Spawn/Block) or awaited by one.");
  }
  core->SetResumePoint(h);
  return core->MakeWakerForSuspension();
}

Waker TaskCoreBase::MakeWakerForSuspension() {
  uint64_t s = state_.load(std::memory_order_relaxed);
  SCHEDULER_DCHECK_TRANSITION(s & kRunning, "SuspendCurrentTask outside the task's step", s);
  if (waker_handed_out_) {
    // A second await in one step: the first one's Waker must not count for
    // this one (STALE WAKE-UPS). Only this thread moves the epoch, so the
    // value read back is ours.
    s = state_.fetch_add(kEpochOne, kAcqRel) + kEpochOne;
  }
  waker_handed_out_ = true;
  return Waker(this, EpochOf(s));
}

std::shared_ptr<Scheduler> TaskCoreBase::LockScheduler() const {
  return anchor_ == nullptr ? nullptr : anchor_->Lock();
}

void TaskCoreBase::TransitionError(const char* what, uint64_t state) const {
  char bits[96];
  std::snprintf(bits, sizeof(bits),
                " (state: scheduled=%d running=%d completed=%d closed=%d handle=%d)",
                (state & kScheduled) != 0, (state & kRunning) != 0, (state & kCompleted) != 0,
                (state & kClosed) != 0, (state & kHandle) != 0);
  FatalError(std::string("task protocol violated: ") + what + " for " + DescribeTask(metadata_) +
             bits);
}

TaskCoreBase::TaskCoreBase(const std::shared_ptr<Scheduler>& scheduler, ScheduleMode mode,
                           TaskMetadata metadata, bool with_handle)
    : state_(with_handle ? (kHandle | kRefOne) : kRefOne),
      mode_(mode),
      metadata_(std::move(metadata)),
      anchor_(scheduler == nullptr ? nullptr : SchedulerAnchor::AcquireFor(scheduler)) {}

TaskCoreBase::~TaskCoreBase() {
  // LIVE TASKS: the only erase. The count is zero, so the sweep skips us.
  if (state_.load(std::memory_order_relaxed) & kRegistered) {
    LiveTaskShard& shard = anchor_->ShardFor(this);
    absl::MutexLock lock(&shard.mu);
    shard.tasks.erase(this);
  }
  const uintptr_t awaiter = awaiter_.load(std::memory_order_acquire);
  if (awaiter != kNoAwaiter && awaiter != kAwaiterWoken) {
    reinterpret_cast<TaskCoreBase*>(awaiter)->Unref();  // the Waker's reference
  }
  if (anchor_ != nullptr) anchor_->Release();
}

void TaskCoreBase::Observe(std::shared_ptr<TaskObserver> observer) {
  if (observer == nullptr) return;
  observer_ = std::move(observer);
  if (observer_ != nullptr) observer_->OnTaskSpawned(metadata_);
}

void TaskCoreBase::NotifyFinished() {
  if (observer_ != nullptr) observer_->OnTaskFinished(metadata_);
}

// Start and StartAfter are called by the spawner, which holds a strong
// reference to the scheduler for the duration of the call: no lock needed.
void TaskCoreBase::Start() {
  SCHEDULER_DCHECK_TRANSITION(
      !(state_.load(std::memory_order_relaxed) & (kScheduled | kRunning | kCompleted | kClosed)),
      "Start called twice", state_.load(std::memory_order_relaxed));
  Observe(anchor_->raw()->context().task_observer());
  // Nobody else has seen the core yet, so a plain update is race-free; it
  // counts the first Runnable's reference.
  state_.store(state_.load(std::memory_order_relaxed) + (kScheduled | kRefOne),
               std::memory_order_relaxed);
  SubmitTo(*anchor_->raw(), Runnable(this));
}

void TaskCoreBase::StartAfter(Duration delay) {
  SCHEDULER_DCHECK_TRANSITION(
      !(state_.load(std::memory_order_relaxed) & (kScheduled | kRunning | kCompleted | kClosed)),
      "StartAfter called twice", state_.load(std::memory_order_relaxed));
  Observe(anchor_->raw()->context().task_observer());
  armed_after_ = true;
  state_.store(state_.load(std::memory_order_relaxed) + (kScheduled | kRefOne),
               std::memory_order_relaxed);
  anchor_->raw()->ScheduleAfter(delay, Runnable(this));
}

void TaskCoreBase::StartCompleted() {
  Observe(anchor_->raw()->context().task_observer());
  state_.store(state_.load(std::memory_order_relaxed) + (kScheduled | kRefOne),
               std::memory_order_relaxed);
  // Frameless: the step sets the (void) result and touches nothing else, so
  // running it inside another task's step is harmless.
  Runnable(this).Run();
}

void TaskCoreBase::Submit() {
  Runnable runnable(this);
  Scheduler* const raw = anchor_->raw();
  if (raw == pinned_scheduler) {
    SubmitTo(*raw, std::move(runnable));
    return;
  }
  std::shared_ptr<Scheduler> s = anchor_->Lock();
  if (s == nullptr) return;  // Scheduler gone: dropping `runnable` cancels the task.
  SubmitTo(*s, std::move(runnable));
}

void TaskCoreBase::SubmitTo(Scheduler& s, Runnable runnable) {
  switch (mode_) {
    case ScheduleMode::kBackground:
      s.Schedule(std::move(runnable));
      break;
    case ScheduleMode::kLabeled:
      s.ScheduleLabeled(std::move(runnable), *metadata_.label);
      break;
    case ScheduleMode::kForeground:
      s.ScheduleForeground(std::move(runnable));
      break;
  }
}

void TaskCoreBase::Wake(uint32_t epoch) {
  uint64_t s = state_.load(kAcquire);
  while (true) {
    if (s & (kCompleted | kClosed | kScheduled)) return;
    if (EpochOf(s) != epoch) return;  // stale: made for an earlier suspension
    // While kRunning, the runner resubmits when the step ends, with the
    // reference of the Runnable it is running; otherwise count a new one.
    const uint64_t next = (s & kRunning) ? (s | kScheduled) : (s | kScheduled) + kRefOne;
    if (state_.compare_exchange_weak(s, next, kAcqRel, kAcquire)) {
      if (!(s & kRunning)) Submit();
      return;
    }
  }
}

void TaskCoreBase::RunStep() {
  uint64_t s = state_.load(kAcquire);
  SCHEDULER_DCHECK_TRANSITION((s & kScheduled) && !(s & kRunning),
                              "a step started without owning kScheduled, or during another step",
                              s);
  while (true) {
    if (s & kClosed) {
      ReleaseOnExit release{this};
      CloseOwned(kScheduled);
      return;
    }
    // The epoch advances: Wakers of the suspension we resume from are stale.
    if (state_.compare_exchange_weak(s, ((s & ~kScheduled) | kRunning) + kEpochOne, kAcqRel,
                                     kAcquire)) {
      break;
    }
  }
  waker_handed_out_ = false;
  {
    InsideStepScope inside;
    bool finished;
    {
      CurrentTaskScope scope(this);
      finished = ResumeStep(resume_point_);
    }
    if (finished) {
      ReleaseOnExit release{this};
      FinishOwned();
      return;
    }
  }
  s = state_.load(kAcquire);
  SCHEDULER_DCHECK_TRANSITION(s & kRunning, "a step ended without kRunning", s);
  while (true) {
    if (s & kClosed) {
      ReleaseOnExit release{this};
      CloseOwned(kRunning | kScheduled);
      return;
    }
    if (!(s & (kHandle | kScheduled | kRegistered))) {
      // Detached and about to be idle: only Wakers will hold it (LIVE TASKS).
      if (!RegisterLive()) {
        // Shut down: no step may run again, and nobody could reach it.
        s = state_.fetch_or(kClosed, kAcqRel);
        ReleaseOnExit release{this};
        if (!(s & kClosed)) NotifyFinished();
        CloseOwned(kRunning | kScheduled);
        return;
      }
      s = state_.load(kAcquire);
      continue;
    }
    // Woken during the step: our Runnable's reference goes to the new one.
    // Otherwise it is dropped in the same CAS.
    const uint64_t next = (s & kScheduled) ? (s & ~kRunning) : (s & ~kRunning) - kRefOne;
    if (state_.compare_exchange_weak(s, next, kAcqRel, kAcquire)) {
      if (s & kScheduled) {
        Submit();
      } else if (HeldLastRef(s)) {
        delete this;  // nothing can wake it: no Waker, handle or Runnable left
      }
      return;
    }
  }
}

void TaskCoreBase::DropUnrun() {
  SCHEDULER_DCHECK_TRANSITION(
      (state_.load(kAcquire) & kScheduled) && !(state_.load(kAcquire) & kRunning),
      "a Runnable dropped without owning kScheduled", state_.load(kAcquire));
  const uint64_t previous = state_.fetch_or(kClosed, kAcqRel);
  if (!(previous & kClosed)) NotifyFinished();
  CloseOwned(kScheduled);
}

void TaskCoreBase::CloseOwned(uint64_t clear_bits) {
  // kClosed is already set, so wake-ups during the frame's destructors are
  // ignored and a concurrent Cancel keeps its hands off.
  DestroyFrame();
  state_.fetch_and(~clear_bits, kAcqRel);
  WakeAwaiter();
}

void TaskCoreBase::FinishOwned() {
  uint64_t s = state_.load(kAcquire);
  SCHEDULER_DCHECK_TRANSITION(!(s & kCompleted), "a task completed twice", s);
  while (!state_.compare_exchange_weak(s, (s & ~(kRunning | kScheduled)) | kCompleted, kAcqRel,
                                       kAcquire)) {
  }
  if (!(s & kClosed)) NotifyFinished();  // else Cancel already did
  // Without a handle nobody awaits, or ever will: skip the awaiter's lock.
  if (s & kHandle) WakeAwaiter();
  // Last: a handler that throws (tests do) must not skip the bookkeeping above.
  if (!(s & (kHandle | kClosed))) ReportDetachedError();
}

void TaskCoreBase::Cancel() { CancelImpl(/*release_handle=*/true); }

void TaskCoreBase::CancelKeepingHandle() { CancelImpl(/*release_handle=*/false); }

void TaskCoreBase::CancelImpl(bool release_handle) {
  uint64_t s = state_.load(kAcquire);
  SCHEDULER_DCHECK_TRANSITION(s & kHandle, "Cancel without a live handle", s);
  while (true) {
    const bool finished = s & (kCompleted | kClosed);
    const bool owned_elsewhere = s & (kScheduled | kRunning);
    if (finished && !release_handle) return;
    // A finished task needs nothing more from us: the handle's reference
    // goes in the same CAS. Otherwise we keep it for the work below.
    const uint64_t handle_bit = release_handle ? kHandle : 0;
    const uint64_t next = finished ? (s & ~kHandle) - kRefOne : ((s | kClosed) & ~handle_bit);
    if (!state_.compare_exchange_weak(s, next, kAcqRel, kAcquire)) continue;
    if (finished) {
      if (HeldLastRef(s)) delete this;
      return;
    }
    // Without release_handle the handle's reference stays with the handle;
    // take one of our own for the work below.
    if (!release_handle) Ref();
    ReleaseOnExit release{this};
    NotifyFinished();
    if (!owned_elsewhere) {
      // We closed an idle task, so the frame is ours to destroy.
      DestroyFrame();
      WakeAwaiter();
    } else if (armed_after_ && !(s & kRunning)) {
      // Possibly still in a timer structure: let it go now (see TIMERS).
      if (std::shared_ptr<Scheduler> scheduler = anchor_->Lock()) {
        scheduler->ReclaimCancelledTimer(this);
      }
    }
    return;
  }
}

void TaskCoreBase::Detach() {
  uint64_t s = state_.load(kAcquire);
  SCHEDULER_DCHECK_TRANSITION(s & kHandle, "Detach without a live handle", s);
  while (true) {
    if ((s & kCompleted) && !(s & kClosed)) {
      // Completed while the handle lived, so the completer left the report
      // of an escaped exception to us: keep the reference until it is made.
      ReleaseOnExit release{this};
      state_.fetch_and(~kHandle, kAcqRel);
      ReportDetachedError();
      return;
    }
    if (!(s & (kCompleted | kClosed | kScheduled | kRunning | kRegistered))) {
      // Idle and unfinished: once the handle goes, only Wakers hold it, and
      // no step will register it (LIVE TASKS). Register while the handle's
      // reference keeps the core alive.
      if (!RegisterLive()) {
        Cancel();  // shut down: it can never run again
        return;
      }
      s = state_.load(kAcquire);
      continue;
    }
    if (state_.compare_exchange_weak(s, (s & ~kHandle) - kRefOne, kAcqRel, kAcquire)) {
      if (HeldLastRef(s)) delete this;
      return;
    }
  }
}

bool TaskCoreBase::RegisterLive() {
  LiveTaskShard& shard = anchor_->ShardFor(this);
  absl::MutexLock lock(&shard.mu);
  if (shard.closed) return false;
  // Under the mutex: a concurrent registrant of this task has either finished
  // (the bit is set) or not started.
  if (state_.load(kAcquire) & kRegistered) return true;
  [[maybe_unused]] const bool inserted = shard.tasks.insert(this).second;
  SCHEDULER_DCHECK_TRANSITION(inserted, "a task registered twice as live", state_.load(kAcquire));
  state_.fetch_or(kRegistered, kAcqRel);
  return true;
}

bool TaskCoreBase::TryRef() {
  uint64_t s = state_.load(std::memory_order_relaxed);
  do {
    if (((s >> kRefShift) & kRefMask) == 0) return false;
  } while (!state_.compare_exchange_weak(s, s + kRefOne, kAcqRel, std::memory_order_relaxed));
  return true;
}

void TaskCoreBase::CancelLive() {
  uint64_t s = state_.load(kAcquire);
  SCHEDULER_DCHECK_TRANSITION((s & kRegistered) && !armed_after_,
                              "a task in the live-task registry was never registered", s);
  while (true) {
    if (s & (kCompleted | kClosed)) return;
    if (state_.compare_exchange_weak(s, s | kClosed, kAcqRel, kAcquire)) break;
  }
  NotifyFinished();
  // Idle: the frame is ours (OWNERSHIP OF THE FRAME). Otherwise its owner
  // destroys it when it next looks at the state.
  if (!(s & (kScheduled | kRunning))) {
    DestroyFrame();
    WakeAwaiter();
  }
}

void TaskCoreBase::CancelLiveTasks(SchedulerAnchor& anchor) {
  std::vector<TaskCoreBase*> alive;
  for (int i = 0; i < SchedulerAnchor::kLiveTaskShards; ++i) {
    LiveTaskShard& shard = anchor.shard(i);
    absl::MutexLock lock(&shard.mu);
    shard.closed = true;
    for (TaskCoreBase* task : shard.tasks) {
      if (task->TryRef()) alive.push_back(task);
    }
    shard.tasks.clear();
  }
  // In spawn order (ids grow), not in the shards' address order: under the
  // TestScheduler the cancellations are observed and traced, and a seed must
  // replay the same trace in every run.
  std::sort(alive.begin(), alive.end(), [](const TaskCoreBase* a, const TaskCoreBase* b) {
    return a->metadata().id < b->metadata().id;
  });
  for (TaskCoreBase* task : alive) {
    task->CancelLive();
    task->Unref();
  }
}

bool TaskCoreBase::RegisterAwaiter(Waker& waker) {
  const auto mine = reinterpret_cast<uintptr_t>(waker.core_);
  // One handle owner registers at a time; only WakeAwaiter races with us. A
  // re-registration first takes the previous Waker out, so the epoch is
  // written only while the slot is empty: a WakeAwaiter that took a Waker
  // reads the epoch stored with it.
  uintptr_t current = awaiter_.load(kAcquire);
  while (current != kNoAwaiter) {
    if (current == kAwaiterWoken) return false;
    if (awaiter_.compare_exchange_weak(current, kNoAwaiter, kAcqRel, kAcquire)) {
      auto* previous = reinterpret_cast<TaskCoreBase*>(current);
      SCHEDULER_DCHECK_TRANSITION(previous == waker.core_ || previous->IsDone(),
                                  "a second task awaits it while the first still does",
                                  state_.load(kAcquire));
      previous->Unref();
      current = kNoAwaiter;
      break;
    }
  }
  awaiter_epoch_.store(waker.epoch_, std::memory_order_relaxed);
  if (!awaiter_.compare_exchange_strong(current, mine, kAcqRel, kAcquire)) {
    return false;  // WakeAwaiter ran meanwhile: the slot is woken for good
  }
  waker.core_ = nullptr;  // its reference now belongs to the slot
  return true;
}

void TaskCoreBase::WakeAwaiter() {
  const uintptr_t awaiter = awaiter_.exchange(kAwaiterWoken, kAcqRel);
  if (awaiter == kNoAwaiter || awaiter == kAwaiterWoken) return;
  auto* core = reinterpret_cast<TaskCoreBase*>(awaiter);
  core->Wake(awaiter_epoch_.load(std::memory_order_relaxed));
  core->Unref();
}

void TaskCoreBase::ReportDetachedError() {
  std::exception_ptr e = error();
  if (e == nullptr) return;
  if (std::shared_ptr<Scheduler> s = anchor_ == nullptr ? nullptr : anchor_->Lock()) {
    s->OnUnhandledException(metadata_, e);
  } else {
    ReportUnhandledException(metadata_, e);
  }
}

}  // namespace internal

// --- Runnable and Waker: thin reference-counted handles to the core. ---

void Runnable::DropUnrun() {
  core_->DropUnrun();
  core_->Unref();
}

void Runnable::Run() {
  if (core_ == nullptr) internal::FatalError("Runnable::Run() on an empty Runnable");
  internal::TaskCoreBase* core = core_;
  core_ = nullptr;
  core->RunStep();  // consumes our reference
}

const TaskMetadata& Runnable::metadata() const {
  if (core_ == nullptr) internal::FatalError("Runnable::metadata() on an empty Runnable");
  return core_->metadata();
}

Waker::Waker(internal::TaskCoreBase* core, uint32_t epoch) : core_(core), epoch_(epoch) {
  core_->Ref();
}

Waker::Waker(const Waker& other) : core_(other.core_), epoch_(other.epoch_) {
  if (core_ != nullptr) core_->Ref();
}

Waker& Waker::operator=(Waker other) noexcept {
  std::swap(core_, other.core_);
  std::swap(epoch_, other.epoch_);
  return *this;
}

Waker::~Waker() {
  if (core_ != nullptr) {
    core_->NoteWakerEvent(WakerEvent::kDropped);
    core_->Unref();
  }
}

void Waker::Wake() const {
  if (core_ != nullptr) {
    core_->NoteWakerEvent(WakerEvent::kWoken);
    core_->Wake(epoch_);
  }
}

}  // namespace scheduler
