// Internal: the shared state of one spawned task and its state protocol.
//
// Users never see this type; `Task<T>`, `Runnable` and `Waker` are handles to
// it. The protocol below is the single place where cancellation, wake-ups and
// completion meet, so it is written out in full.
//
// STATE BITS (`state_`, one atomic word, which also holds the reference count
// and the wake epoch in its upper bits; see REFERENCES and STALE WAKE-UPS):
//   kScheduled  A Runnable for the task exists (queued somewhere, or being run),
//               or — while kRunning — the task was woken during its step and
//               the runner must hand out a new Runnable when the step ends.
//   kRunning    A thread is executing a step (inside `RunStep`).
//   kCompleted  The coroutine returned or threw; the result is stored and the
//               frame is gone.
//   kClosed     Cancelled: the frame is destroyed (or will be, by the current
//               owner) and the coroutine never resumes again.
//   kHandle     A `Task<T>` handle is alive and not detached.
//   kRegistered The task is (or was) in its anchor's live-task registry; set
//               once, never cleared (see LIVE TASKS).
//
// OWNERSHIP OF THE FRAME. Exactly one party may touch the coroutine frame at a
// time:
//   * the holder of a Runnable (kScheduled && !kRunning): it runs the step, or
//     destroys the frame if kClosed is set or the Runnable is dropped;
//   * the runner (kRunning): when the step ends it destroys the frame if
//     kClosed was set meanwhile, otherwise releases ownership, handing out a
//     new Runnable first if kScheduled was set meanwhile;
//   * the canceller, when it observes an idle task (neither kScheduled nor
//     kRunning) and sets kClosed in the same CAS: nobody else can own it then,
//     because `Wake` refuses to schedule a kClosed task.
// Every transition is a CAS (acq_rel), so the frame writes of one owner
// happen-before the reads of the next.
//
// WHY WAKE-UPS ARE NEVER LOST. A task registers its Waker and then suspends,
// but the step is still running (kRunning) until control returns to
// `RunStep`. A `Wake` that lands in that window sets kScheduled without
// creating a Runnable; the runner sees kScheduled when the step ends and
// reschedules. A `Wake` after the step ended finds the task idle and creates
// the Runnable itself. A `Wake` while already kScheduled is coalesced.
//
// WHY CANCELLATION IS SAFE AGAINST CONCURRENT STEPS. `Cancel` never touches
// the frame unless it wins the idle-task CAS. If the task is queued or
// running, it only sets kClosed; the owner destroys the frame when it next
// looks at the state (at `RunStep` entry, or when the step ends). Hence no
// step starts after `Cancel` returns, and a running step is never torn down
// underneath itself.
//
// AWAITERS learn the end of a task only once its frame is gone: the one who
// destroys the frame (or completes the task) calls `WakeAwaiter` afterwards,
// and `RegisterAwaiter` is refused only after that call, not as soon as
// kCompleted/kClosed is visible. The awaiter slot (`awaiter_`) is one atomic
// word with three states: empty, a registered Waker, or woken (terminal).
// `WakeAwaiter` exchanges it to woken and wakes what it took; `RegisterAwaiter`
// CASes its Waker in unless the slot is woken, in which case it is refused.
// Both are read-modify-writes of one word, so exactly one of "registered
// before the wake-up, then woken by it" and "refused after it" happens; the
// exchange releases the frame's destruction and the result, and the refused
// registrant's acquire sees them. kClosed is set before the frame's
// destructors run (possibly on another thread), so an awaiter refused at
// kClosed could otherwise resume while those destructors still touch state
// it shares. A completed task's frame is gone before kCompleted is set, so
// `co_await` may take a completed result without registering.
//
// STALE WAKE-UPS. A Waker is made for one suspension and names it: it
// carries the task's wake epoch (bits kEpochShift.. of `state_`) as it was
// when `SuspendCurrentTask` handed it out, and `Wake` schedules the task only
// if the epoch is still the same, in the CAS that sets kScheduled. The epoch
// advances
//   * when a step starts (in RunStep's CAS that sets kRunning): the
//     suspension the task resumes from is over, so every Waker made for it is
//     stale, however long its holder (a losing `Race` branch, a cancelled
//     waiter list entry, a timer) keeps it;
//   * when one step hands out a second Waker (`SuspendCurrentTask` called
//     again after an awaitable resumed the step inline): the first await is
//     over too, though no step boundary separates them.
// The first rule is free (the CAS exists anyway); the second costs one
// fetch_add, only in steps that await more than once. Hence a wake-up can
// resume a task only at the suspension it was made for: an awaitable may
// hand its Waker to any number of wakers (every branch of a `Race`), and any
// number of them may fire, late or concurrently; the first one for the
// current suspension schedules the task, the rest are coalesced (kScheduled)
// or refused (stale). The epoch has 24 bits: a Waker held across exactly a
// multiple of 2^24 suspensions of its task would be taken for current; no
// holder in this library keeps one past the await it was made for.
// The awaiter slot (AWAITERS) keeps its Waker's epoch in `awaiter_epoch_`,
// written only while the slot is empty (see RegisterAwaiter), so the
// `WakeAwaiter` that takes a Waker reads the epoch registered with it.
//
// CHECKED TRANSITIONS. The preconditions of this protocol are asserted in
// builds without NDEBUG (debug and sanitizer builds; `-c opt` compiles them
// out): `Start` once and before anything else; a step starts only when
// kScheduled is set and no step runs; a step ends with kRunning set; a
// Runnable is dropped unrun only while it owns kScheduled; `Cancel` and
// `Detach` once, with kHandle set; completion once; `SuspendCurrentTask` only
// inside the task's step; one awaiter at a time (a second registration
// while a live task other than the first registrant is registered).
// A violation is a fatal error naming the task.
//
// DETACHED EXCEPTIONS are reported exactly once: completion and `Detach` both
// update kHandle/kCompleted atomically; whichever of the two comes second
// sees the other's bit and reports.
//
// REFERENCES (bits kRefShift..kEpochShift-1 of `state_`, 32 bits): one for
// each Runnable, Task handle and Waker. The core (the result in it, and the block that holds both
// it and the frame; see LAYOUT AND LIFETIME) is freed when the last one goes. They share the state
// word, as in tokio, so that a transition and the reference it creates or consumes are one
// read-modify-write: `Start` publishes the handle's and the first Runnable's references with its
// plain initial store; `Wake` counts the new Runnable's reference in the CAS that sets kScheduled;
// the end of a step either keeps the Runnable's reference for the Runnable it hands out (woken
// during the step) or drops it in the CAS that clears kRunning; `Detach`, and `Cancel` of a
// finished task, drop the handle's reference in the CAS that clears kHandle. A party may free the
// core only when the count it removed was the last one, so no transition after one that drops a
// reference may touch the core unless the dropping party still holds another.
//
// LAYOUT AND LIFETIME (one allocation per spawned coroutine). The core is
// built in the memory block of the coroutine frame it runs, in a slot that
// every `Future` frame reserves in front of itself (task_block.h), so a spawn
// allocates nothing beyond the frame. Two lifetimes share the block:
//   * the frame's objects (parameters, locals, promise) live until the owner
//     defined in OWNERSHIP OF THE FRAME destroys the frame: at completion,
//     after the result has been moved into the core, or at cancellation, at
//     the current suspension point. The destroy runs every destructor but
//     frees nothing (the block has a core);
//   * the core, and with it the result and the block's memory, live until the
//     last reference goes (REFERENCES); the deleting destructor then frees
//     the whole block. A core whose last reference goes while its frame
//     still exists (a suspended task nobody can wake) destroys the frame
//     first.
// So a frame is destroyed exactly once (by its owner, or by the last
// reference), its destructors still run before the awaiter is woken (AWAITERS),
// and the result outlives the frame until the Task has taken it. Timers and
// `Task<T>::Ready` have no frame: their block holds the core alone.
// Spawning a callable instead of a Future goes through a wrapper coroutine
// (`InvokeKeepingAlive`) that keeps the callable in its frame and awaits the
// Future it returns: the wrapper's frame holds the core, the callable's
// Future is a second frame (two allocations, as a Future awaited inline is).
//
// REACHING THE SCHEDULER (`Submit`). A task must find its scheduler for as
// long as the task lives, without keeping it alive. It points at the
// scheduler's anchor (scheduler_anchor.h), which outlives the scheduler and
// holds its weak_ptr once, instead of holding a weak_ptr itself (whose copy
// and destruction bounce the scheduler's control block between cores at
// every spawn). A weak_ptr lock is still an atomic read-modify-write on that
// shared line, so a scheduler whose own threads run the steps can vouch for
// itself instead: while `PinnedScheduler()` on a thread equals the task's
// scheduler, that scheduler promises to stay allocated until the pin is
// lifted (it defers its own deletion past the current step if its last
// reference goes inside one; see `ScopedSchedulerPin`). Submissions from such
// a thread use the plain pointer; every other thread (a foreign thread waking
// a task, a test driving the TestScheduler) locks the anchor's weak_ptr.
// Spawning needs neither: the spawner holds a strong reference for the
// duration of `Start`.
//
// TIMERS (`ScheduleAfter`). A Runnable parked in a scheduler's timer
// structure keeps its core kScheduled until it fires. When the task is
// cancelled meanwhile, `Cancel` tells the scheduler
// (`Scheduler::ReclaimCancelledTimer`), which takes the Runnable out of the
// structure at once and drops it; so a program that arms and drops timers
// holds memory for its live timers only. `timer_slot_` is the scheduler's
// bookkeeping for that (its position in the structure), touched only under
// the structure's lock.
//
// LIVE TASKS (the leak this prevents, and how `Shutdown` reaches it). A
// detached task suspended on a primitive nobody will signal is held only by
// its own Waker in the primitive's waiter list: frame -> waiter node -> Waker
// -> core -> frame. No handle, queue or timer reaches it, so a scheduler's
// shutdown could not destroy its frame. Each anchor therefore keeps a
// registry of such tasks (LiveTaskShard in scheduler_anchor.h: a set of core
// addresses in 16 shards, each under its own mutex), and `Shutdown` cancels
// every task in it (`CancelLiveTasks`). The rules:
//   * WHO IS REGISTERED: a task without kHandle that is about to be idle
//     (neither kScheduled nor kRunning) and unfinished, i.e. whose only
//     holders will be Wakers. Tasks with a handle are not: the handle's owner
//     reaches them (and if that owner is a leaked frame, the frame's
//     destruction cancels them). A detached task that finishes within its
//     steps, or is always woken before its step ends (a yield), never is.
//     So the registry costs nothing unless a detached task suspends, and
//     then one insert and one erase in its lifetime.
//   * WHO INSERTS, and when: exactly one of two parties, ordered by the CAS
//     that clears kHandle. (a) The runner, at the end of a step, while it
//     still holds kRunning, if the state it is about to publish has neither
//     kHandle nor kScheduled nor kRegistered. (b) `Detach`, before its CAS
//     clears kHandle, if the task is idle and unfinished then. The insert and
//     the fetch_or of kRegistered happen under the shard's mutex, after
//     checking kRegistered under it, so a task is inserted at most once;
//     both parties re-read the state (their CAS fails otherwise), so a task
//     that goes idle after being detached is registered by one of them.
//   * WHO ERASES: only the core's destructor (the last reference), under the
//     shard's mutex, if kRegistered is set, before the memory is freed. An
//     entry holds no reference, so a registered task still goes when its
//     last Waker does; and a finished task simply stays listed until then.
//     Hence an entry always names allocated memory while the mutex is held.
//   * THE SWEEP (`CancelLiveTasks`, called by Shutdown once no step of the
//     scheduler can still start): per shard, under its mutex, it marks the
//     shard closed, takes a reference to every listed task whose count is not
//     zero (`TryRef`: a task at zero is inside its destructor, which will
//     erase it and destroys its frame itself), and empties the set. Outside
//     the mutex (frame destructors may register, erase or wake) it cancels,
//     in spawn order (deterministic traces under the TestScheduler), each
//     task as `Cancel` would (`CancelLive`: a CAS sets kClosed unless
//     kCompleted or kClosed is set; the frame is destroyed by whoever owns it
//     per OWNERSHIP OF THE FRAME, by the sweep itself if the task is idle;
//     the observer hears OnTaskFinished) and drops its reference.
//   * A TASK COMPLETING WHILE SHUTDOWN SWEEPS is the usual race of a
//     completion against `Cancel`: kCompleted and kClosed are set by CASes on
//     one word, so exactly one of "completed, the sweep sees it finished and
//     does nothing" and "closed, the runner destroys the frame at the end of
//     its step" happens. The sweep's reference keeps the core allocated
//     across both. Nothing is destroyed twice: the frame by its single owner,
//     the core by its last reference; nothing is missed: a task that was
//     registered before the sweep reached its shard is in the set, and one
//     that tries to register after it finds the shard closed.
//   * AFTER THE SWEEP a registration is refused; the party that would have
//     inserted cancels the task instead: the runner closes it at the end of
//     its step (it owns the frame), `Detach` cancels it as `Cancel` would.
//     Neither case can run a step again anyway: the scheduler refuses
//     Runnables once shut down.
// Checked (CHECKED TRANSITIONS): no address is inserted twice; every listed
// task has kRegistered set and is not a timer when the sweep takes it; the
// registry is empty when the anchor is freed.
//
// QUEUE LINK (`queue_next_`). A Runnable is in at most one queue at a time,
// so schedulers may chain queued Runnables through the core itself (no
// allocation per enqueue); the field belongs to whoever holds the Runnable.
#ifndef SCHEDULER_INTERNAL_TASK_CORE_H_
#define SCHEDULER_INTERNAL_TASK_CORE_H_

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <source_location>
#include <string>
#include <thread>

#include "scheduler/duration.h"
#include "scheduler/internal/scheduler_anchor.h"
#include "scheduler/internal/task_block.h"
#include "scheduler/runnable.h"
#include "scheduler/task_metadata.h"
#include "scheduler/task_observer.h"
#include "scheduler/waker.h"

namespace scheduler {

class Scheduler;

namespace internal {

// How many WakerEventsExemptions (declared below) this thread holds. Inline
// and constinit (no TLS wrapper call): it is read at every wake and Waker drop
// of a task that has an observer, i.e. at every TestScheduler step.
extern constinit thread_local int waker_events_exemptions;
inline bool WakerEventsExempt() { return waker_events_exemptions > 0; }

// Which `Scheduler` entry point the task's Runnables go through.
enum class ScheduleMode : uint8_t { kBackground, kLabeled, kForeground };

class TaskCoreBase {
 public:
  static constexpr uint64_t kScheduled = 1u << 0;
  static constexpr uint64_t kRunning = 1u << 1;
  static constexpr uint64_t kCompleted = 1u << 2;
  static constexpr uint64_t kClosed = 1u << 3;
  static constexpr uint64_t kHandle = 1u << 4;
  static constexpr uint64_t kRegistered = 1u << 5;
  static constexpr int kRefShift = 8;
  static constexpr uint64_t kRefOne = uint64_t{1} << kRefShift;
  // The wake epoch sits above the count, so advancing it wraps harmlessly
  // out of the word's top (see STALE WAKE-UPS).
  static constexpr int kEpochShift = 40;
  static constexpr uint64_t kEpochOne = uint64_t{1} << kEpochShift;
  static constexpr uint64_t kRefMask = (uint64_t{1} << (kEpochShift - kRefShift)) - 1;
  static uint32_t EpochOf(uint64_t state) { return static_cast<uint32_t>(state >> kEpochShift); }
  // True if `previous`, a state read by the RMW that dropped a reference,
  // counted only that one: the dropper must free the core.
  static bool HeldLastRef(uint64_t previous) { return ((previous >> kRefShift) & kRefMask) == 1; }

  TaskCoreBase(const TaskCoreBase&) = delete;
  TaskCoreBase& operator=(const TaskCoreBase&) = delete;

  // Cores are built in task blocks (task_block.h), never by `new`; the
  // deleting destructor that the last reference runs frees the whole block,
  // the frame's memory included.
  static void* operator new(std::size_t size) = delete;
  static void operator delete(void* core) noexcept { FreeTaskBlock(core); }

  // Position in the timer structure of the scheduler holding the Runnable;
  // see TIMERS. kNoTimerSlot when not in one.
  static constexpr uint32_t kNoTimerSlot = ~uint32_t{0};
  uint32_t& timer_slot() { return timer_slot_; }
  // See QUEUE LINK.
  TaskCoreBase*& queue_next() { return queue_next_; }

  void Ref() { state_.fetch_add(kRefOne, std::memory_order_relaxed); }
  void Unref() {
    if (HeldLastRef(state_.fetch_sub(kRefOne, std::memory_order_acq_rel))) delete this;
  }

  // Hands the first Runnable to the scheduler. Called once by the spawner.
  void Start();
  // Hands the first Runnable to the scheduler after `delay` (timers).
  void StartAfter(Duration delay);
  // Runs the only step of a frameless core (a timer due now) on the calling
  // thread, so the task is complete when the spawner returns it.
  void StartCompleted();

  // Thread-safe. Schedules the task if `epoch` still names its current
  // suspension. See "WHY WAKE-UPS ARE NEVER LOST" and STALE WAKE-UPS.
  void Wake(uint32_t epoch);

  // Runnable entry points; the caller holds the kScheduled ownership.
  // RunStep consumes the Runnable's reference; DropUnrun does not.
  void RunStep();
  void DropUnrun();

  // Task-handle entry points; both consume the handle's reference.
  void Cancel();
  void Detach();
  // Cancels like `Cancel` but keeps the handle and its reference, so that
  // the holder can still register as awaiter and learn when the frame is
  // gone (the combinators wait for that before they return). The handle's
  // later `Cancel` only drops it. No-op on a finished task.
  void CancelKeepingHandle();

  // Cancels every task in `anchor`'s live-task registry and refuses
  // registrations from then on (LIVE TASKS). Called by a scheduler's Shutdown
  // once no step of it can start any more; frame destructors run on the
  // calling thread.
  static void CancelLiveTasks(SchedulerAnchor& anchor);

  // Takes `waker` to call once the task has completed or been cancelled and
  // its frame is gone. Returns false, leaving `waker` with the caller, if
  // that wake-up has already happened (see AWAITERS).
  bool RegisterAwaiter(Waker& waker);

  // True once `WakeAwaiter` has run: the frame is gone and the result, if
  // any, is published; `RegisterAwaiter` is refused from then on.
  bool AwaiterWoken() const { return awaiter_.load(std::memory_order_acquire) == kAwaiterWoken; }

  // True for a timer's core (`StartAfter`): it has no frame to destroy.
  bool IsTimer() const { return armed_after_; }

  // After `AwaiterWoken()`: true if awaiting the task would throw (it was
  // cancelled, or finished with an exception).
  bool Failed() const { return !HasResult() || error() != nullptr; }

  // The task finished and its result (value or exception) is stored.
  bool HasResult() const { return state_.load(std::memory_order_acquire) & kCompleted; }
  // No step will run again: it has a result, or it was cancelled.
  bool IsDone() const { return state_.load(std::memory_order_acquire) & (kCompleted | kClosed); }
  // Cancelled before it had a result: it never will.
  bool IsCancelled() const {
    const uint64_t state = state_.load(std::memory_order_acquire);
    return (state & kClosed) != 0 && (state & kCompleted) == 0;
  }

  const TaskMetadata& metadata() const { return metadata_; }

  // Tells the observer about a Waker event, unless this thread is exempt (see
  // WakerEventsExemption). Production tasks have no observer: one load.
  void NoteWakerEvent(WakerEvent event) {
    if (observer_ != nullptr && !WakerEventsExempt()) observer_->OnWakerEvent(metadata_, event);
  }

  // Called by awaitables in `await_suspend`, on the thread running the step.
  void SetResumePoint(std::coroutine_handle<> h) { resume_point_ = h; }
  // A Waker for the suspension being entered (see STALE WAKE-UPS). Only on
  // the thread running the task's step.
  Waker MakeWakerForSuspension();

  // The task's scheduler, or nullptr if it is gone. How the task submits its
  // Runnables (combinators spawn their branches the same way).
  std::shared_ptr<Scheduler> LockScheduler() const;
  ScheduleMode mode() const { return mode_; }

 protected:
  TaskCoreBase(const std::shared_ptr<Scheduler>& scheduler, ScheduleMode mode,
               TaskMetadata metadata, bool with_handle);
  virtual ~TaskCoreBase();

  // Resumes the coroutine at `resume_point_`. Returns true if it finished, in
  // which case the result has been captured and the frame destroyed.
  virtual bool ResumeStep(std::coroutine_handle<> resume_point) = 0;
  // Destroys the frame of an unfinished coroutine (no-op if already gone).
  virtual void DestroyFrame() = 0;
  // The exception the task finished with, if any.
  virtual std::exception_ptr error() const = 0;

  // For cores born finished (`Task<T>::Ready`); called from the constructor.
  void MarkCompletedAtConstruction() {
    state_.fetch_or(kCompleted, std::memory_order_relaxed);
    awaiter_.store(kAwaiterWoken, std::memory_order_relaxed);
  }

  std::coroutine_handle<> resume_point_;

 private:
  // Creates a Runnable (the caller set kScheduled and counted its
  // reference) and gives it to the scheduler; if the scheduler is gone,
  // dropping it cancels the task.
  void Submit();
  // Drops the reference of a Runnable consumed by RunStep, even if the step's
  // bookkeeping throws (an unhandled-exception handler may).
  struct ReleaseOnExit {
    TaskCoreBase* core;
    ~ReleaseOnExit() { core->Unref(); }
  };
  void SubmitTo(Scheduler& scheduler, Runnable runnable);
  // Cancel and CancelKeepingHandle.
  void CancelImpl(bool release_handle);
  // Fatal error naming the task and `what`, for CHECKED TRANSITIONS.
  [[noreturn]] void TransitionError(const char* what, uint64_t state) const;
  // Closes an owned, unfinished task: frame destroyed, awaiter woken.
  void CloseOwned(uint64_t clear_bits);
  void FinishOwned();
  void WakeAwaiter();
  void Observe(std::shared_ptr<TaskObserver> observer);
  void NotifyFinished();
  void ReportDetachedError();
  // LIVE TASKS: inserts the task into its anchor's registry (no-op if it is
  // there already); false if the registry is closed.
  bool RegisterLive();
  // A reference unless the count is already zero (the core is in its
  // destructor). Only for the sweep, which holds no reference of its own.
  bool TryRef();
  // The sweep's cancel; the caller holds a reference.
  void CancelLive();

  std::atomic<uint64_t> state_;
  const ScheduleMode mode_;
  // Set by StartAfter before the Runnable is published: Cancel then offers
  // the Runnable back to the scheduler (see TIMERS).
  bool armed_after_ = false;
  // Whether this step has handed out a Waker (see STALE WAKE-UPS). Touched
  // only by the thread running the step.
  bool waker_handed_out_ = false;
  uint32_t timer_slot_ = kNoTimerSlot;
  TaskCoreBase* queue_next_ = nullptr;
  const TaskMetadata metadata_;
  // Null for cores born finished. See REACHING THE SCHEDULER.
  SchedulerAnchor* const anchor_;
  std::shared_ptr<TaskObserver> observer_;  // set by Start/StartAfter; usually null

  // The awaiter's Waker, as the core it wakes (holding the Waker's
  // reference), or kNoAwaiter, or kAwaiterWoken once WakeAwaiter has run (then
  // for good). See AWAITERS.
  static constexpr uintptr_t kNoAwaiter = 0;
  static constexpr uintptr_t kAwaiterWoken = 1;
  std::atomic<uintptr_t> awaiter_{kNoAwaiter};
  // The epoch of the Waker in `awaiter_`; see STALE WAKE-UPS.
  std::atomic<uint32_t> awaiter_epoch_{0};
};

// Assertions of the task protocol's preconditions (CHECKED TRANSITIONS):
// compiled in unless NDEBUG is defined.
#ifdef NDEBUG
#define SCHEDULER_DCHECK_TRANSITION(condition, what, state) \
  do {                                                      \
  } while (false)
#else
#define SCHEDULER_DCHECK_TRANSITION(condition, what, state) \
  do {                                                      \
    if (!(condition)) TransitionError(what, state);         \
  } while (false)
#endif

// The task whose step is running on this thread, or nullptr.
TaskCoreBase* CurrentTask();

// While one lives on a thread, Waker events there are not reported to task
// observers (`TaskObserver::OnWakerEvent`). The TestScheduler holds one on the
// thread that drives it for its lifetime: wakes there are part of its
// deterministic schedule; wakes and drops anywhere else are not. Must be
// destroyed on the thread that made it (else the exemption stays).
class WakerEventsExemption {
 public:
  WakerEventsExemption();
  ~WakerEventsExemption();
  WakerEventsExemption(const WakerEventsExemption&) = delete;
  WakerEventsExemption& operator=(const WakerEventsExemption&) = delete;

 private:
  const std::thread::id thread_;
};

// Moves a Runnable's reference in and out of a raw core pointer, for
// schedulers that keep queued Runnables in intrusive or lock-free structures.
struct RunnableAccess {
  static TaskCoreBase* Release(Runnable& runnable) {
    TaskCoreBase* core = runnable.core_;
    runnable.core_ = nullptr;
    return core;
  }
  static Runnable Adopt(TaskCoreBase* core) { return Runnable(core); }
  static TaskCoreBase* Peek(const Runnable& runnable) { return runnable.core_; }
};

// True while a task step runs on this thread, including the completion
// bookkeeping that wakes the task's awaiter, but not the resubmission of a
// task woken during its own step (a yield). Schedulers use it to tell "a task
// woke another one" (run it next, here) from "a task asked to go again"
// (queue it behind the others).
bool InsideStep();

// The scheduler pinned on this thread (see REACHING THE SCHEDULER), or
// nullptr.
const Scheduler* PinnedScheduler();

// Pins `scheduler` on the calling thread for the scope's lifetime. The caller
// guarantees that `scheduler` stays allocated until the scope ends. Scopes
// nest (the previous pin is restored).
class ScopedSchedulerPin {
 public:
  explicit ScopedSchedulerPin(const Scheduler* scheduler);
  ~ScopedSchedulerPin();
  ScopedSchedulerPin(const ScopedSchedulerPin&) = delete;
  ScopedSchedulerPin& operator=(const ScopedSchedulerPin&) = delete;

 private:
  const Scheduler* previous_;
};

// Records `h` as where the current task resumes and returns its Waker.
// Aborts with `location` if no task is running on this thread (an awaitable
// was resumed by hand, outside of a spawned task).
Waker SuspendCurrentTask(std::coroutine_handle<> h,
                         std::source_location location = std::source_location::current());

// Prints `message` and aborts. For misuse that must not continue.
[[noreturn]] void FatalError(const std::string& message);

}  // namespace internal
}  // namespace scheduler

#endif  // SCHEDULER_INTERNAL_TASK_CORE_H_
