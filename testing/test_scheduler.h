// TestScheduler: a deterministic, seeded Scheduler for tests.
//
// Nothing runs on its own. The test drives: `Tick()` runs one step,
// `RunUntilParked()` runs until nothing is runnable, `AdvanceClock(d)` moves a
// fake clock and fires timers in deadline order, and `Block` parks by running
// other tasks. Every choice comes from `seed`, through two generators of our
// own: the schedule stream picks which runnable goes next (strategy.h), the
// data stream decides the rest (how long a blocked future may run, how many
// times `SimulateRandomDelay` yields, what `Rng()` returns). So a seed replays
// the same interleaving on any machine, and a run written down as a Schedule
// (schedule.h: the seed plus the task of each step) replays without the
// strategy. The execution trace (trace.h) proves it: equal seeds, or a
// schedule and its replay, give equal `trace_hash()`es.
//
//   auto scheduler = TestScheduler::Create({.seed = 42});
//   Executor executor(scheduler);
//   Task<int> t = executor.Spawn(Compute());
//   scheduler->RunUntilParked();
//   ASSERT_TRUE(t.IsReady());
//
// Ordering guarantees, under every strategy (strategy.h): foreground
// runnables of one session (one ForegroundExecutor) run in FIFO order;
// runnables of deprioritized labels run only when nothing else can; while a
// session blocks (`ForegroundExecutor::Block`), its other foreground tasks do
// not run. All steps run on the thread that drives the scheduler (the thread
// that created it), which is "the main thread" while it runs a foreground step
// or no step at all.
//
// Time: the fake clock moves only when the test or a block moves it.
// `AdvanceClock(d)` first runs what is runnable (at the current time), then
// fires the timers due within `d` in deadline order, running what each wakes
// before moving on (so a timer armed by a woken task fires in the same call
// if it is due by the target). `RunUntilParked` also fires timers that are
// already due (deadline <= Now()). A cancelled timer leaves the heap at once,
// so the clock never jumps to a deadline nobody waits for.
//
// Blocking: `Block` runs other tasks until the blocked future can continue,
// one step at a time. Between two steps of the blocked future at least one
// other step runs if any is runnable, so a future that loops on
// `co_await Yield()` lets other sessions and background tasks progress (the
// blocking session's own queued tasks never run until the block returns).
// When nothing is runnable, parking is forbidden (the default) and a timer is
// pending, the block moves the clock to the next timer and goes on (a mock
// clock's "idle main thread fast-forwards"); only when no timer is pending
// either does the test fail with a stuck report. With parking allowed it
// waits for another thread to wake it instead (timers already due still fire).
// `BlockWithTimeout` may run between block_on_ticks_min and _max steps in
// total (drawn once per call), counting the blocked future's own steps as
// well as the others', then hands the unfinished future back; it moves the
// clock only to timers due within its timeout, and gives up at once when
// nothing else can happen before then.
//
// Failures (a stuck block, an exception escaping a detached task, a task woken
// from a foreign thread while parking is forbidden, or any Waker woken or
// dropped on a foreign thread then, even one that schedules nothing — signs
// the test is not deterministic) go to `config.on_failure` with the seed, the blocking call
// site, and every pending task's spawn location, label, state and waiting
// hint. The default prints and aborts. Failures noticed on other threads are
// reported on the driving thread at its next step (or `CheckFailures()`).
//
// Thread-safety: Schedule*, Now, Rng(), steps, runnable_count, timer_count,
// trace_hash, IsTaskRunning and PendingTasks may be called from any thread.
// The controls, and the observers that walk the queue or the trace
// (DescribeState, schedule, schedule_stats, trace, WriteTrace), are for the
// driving thread: the ready queue and the trace belong to it, so that a step
// takes no lock. Calling them from another thread is a fatal error. One step
// runs at a time; `Tick` from inside a step is a fatal error.
#ifndef TESTING_TEST_SCHEDULER_H_
#define TESTING_TEST_SCHEDULER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/internal/timer_heap.h"
#include "scheduler/parker.h"
#include "scheduler/scheduler.h"
#include "testing/internal/ready_queue.h"
#include "testing/internal/task_registry.h"
#include "testing/schedule.h"
#include "testing/schedule_chooser.h"
#include "testing/shared_rng.h"
#include "testing/strategy.h"
#include "testing/trace.h"

namespace scheduler {

struct TestSchedulerConfig {
  uint64_t seed = 0;
  // Range (inclusive) of other steps a `BlockWithTimeout` may run before it
  // times out. See also `SetBlockOnTicks`.
  int64_t block_on_ticks_min = 0;
  int64_t block_on_ticks_max = 1000;
  // What `NumCpus()` answers (Executor::NumCpus, SchedulerContext::NumCpus):
  // fixed, so a seed schedules the same on every machine. 0 means the
  // machine's count (then a seed may not replay elsewhere). >= 0.
  int num_cpus = 4;
  // Upper bound (inclusive) of yields for `SimulateRandomDelay`.
  int max_random_delay_yields = 10;
  // If false, a `Block` with nothing left to run fails instead of waiting for
  // another thread to wake it, and a wake from another thread is reported.
  bool allow_parking = false;
  // Receives the full failure report. May throw (it is called on the driving
  // thread, outside any step); if it returns, the process aborts.
  std::function<void(const std::string& report)> on_failure;
  // How the next runnable is picked (strategy.h).
  Strategy strategy = Strategy::kRandom;
  // false: FIFO mode (Zed's `randomize_order: false`). Runnables run in the
  // order they became runnable, the same for every seed; timers (deadline
  // order), sessions (a blocking session's tasks wait) and deprioritized
  // labels keep their rules, and the data stream (Rng(), block budgets,
  // random delays) still follows the seed. Replaces the strategy, so only
  // with the default kRandom.
  bool randomize_order = true;
  // PCT's d: bugs needing up to d ordering constraints are found with
  // probability >= 1/(n k^(d-1)) per run. >= 1.
  int pct_depth = 3;
  // PCT's k: change points are drawn from steps [1, k]; set it near the
  // number of steps a run takes. >= 1.
  uint64_t pct_max_steps = 1000;
  // kFairRandom: a task passed over this many choices in a row runs next.
  // >= 1.
  uint64_t fairness_bound = 32;
  // The chooser of kExhaustive, kReplay and kFuzz (schedule_chooser.h);
  // required by those strategies, refused by the others.
  std::shared_ptr<ScheduleChooser> chooser;
  // Record the task of every step, for `schedule()` (a few bytes per step).
  bool record_schedule = false;
  // Keep every trace event (for export and divergence reports); the hash is
  // kept either way.
  bool record_trace = false;
  // If set, Shutdown (or destruction) writes the trace to
  // `<trace_out>.trace.json`, `.svg` and `.html` (implies record_trace).
  std::string trace_out;
};

class TestScheduler final : public Scheduler,
                            public TestControls,
                            public std::enable_shared_from_this<TestScheduler> {
 public:
  // The wall clock (`UtcNow()`) starts here: 2025-01-01 00:00:00 UTC.
  static absl::Time WallClockStart();

  // Invalid configs (pct_depth < 1, a bad tick range, ...) are fatal errors.
  // The calling thread becomes the main (driving) thread; `created_at` names
  // it in misuse reports.
  static std::shared_ptr<TestScheduler> Create(
      TestSchedulerConfig config = {},
      std::source_location created_at = std::source_location::current());
  ~TestScheduler() override;

  TestControls* GetTestControls() { return this; }

  // --- Scheduler ---
  void Schedule(Runnable runnable) override;
  void ScheduleLabeled(Runnable runnable, TaskLabel label) override;
  void ScheduleForeground(Runnable runnable) override;
  void ScheduleAfter(Duration delay, Runnable runnable) override;

  // --- Its SchedulerContext (shared with wrappers such as Block's driver and
  // GPUI scopes; these are what the context's methods call) ---
  // Runs other tasks instead of sleeping; a timeout is a budget of steps.
  bool Park(std::optional<Duration> timeout);
  Unparker GetUnparker() { return parker_.GetUnparker(); }
  // True on the creating thread, outside background steps.
  bool IsMainThread() const;
  // A fatal error naming `where` and the TestScheduler's creation site unless
  // `IsMainThread()`: on another thread, or inside a background step (where
  // production code would be on a worker thread).
  void AssertMainThread(std::source_location where = std::source_location::current()) const;
  // The fake clock: moves only by AdvanceClock (and the timers it fires).
  Instant Now() const;
  // 1, 2, 3, ... per scheduler, so ids repeat per seed.
  TaskId NextTaskId();
  // Reported as a test failure once the current step has unwound.
  void OnUnhandledException(const TaskMetadata& task, std::exception_ptr error);

  // --- TestControls ---
  void Deprioritize(TaskLabel label) override;
  bool Tick() override;
  void RunUntilParked() override;
  void AdvanceClock(Duration d) override;
  int RandomDelayYields() override;
  uint64_t NextRandom() override;
  void AllowParking() override;
  void ForbidParking() override;
  void SetBlockOnTicks(int64_t min, int64_t max) override;
  void SetWaitingHint(std::string hint) override;
  void SetWaitingHint(TaskId task, std::string hint) override;
  // Default argument on an override: TestScheduler is final, so calls through
  // it always see this default, which names the caller's line.
  void StartWaiting(std::source_location where = std::source_location::current()) override;
  void FinishWaiting() override;
  void BeginBlock(const BlockInfo& info) override;
  void EndBlock() override;
  void OnDrivenStep(const TaskMetadata& task) override;

  // Cancels everything: drops every queued runnable and pending timer (which
  // destroys the frames of their tasks), then cancels every detached task
  // still suspended, whatever it awaits (its frame is destroyed
  // here and its observers see it finish; scheduler.h, "Shutdown"), and
  // cancels whatever is scheduled afterwards on the spot. Tasks with a live
  // handle are left to it (detaching one afterwards cancels it). Breaks
  // reference cycles between the scheduler and tasks that hold it. Writes the trace files if
  // `trace_out` is set. Call from the driving thread, outside any step (the
  // destructor calls it on whichever thread drops the last reference).
  void Shutdown();

  // Fires the earliest timer (moving the clock to its deadline) and runs
  // until nothing is runnable; other timers due at the same deadline stay
  // pending (`RunUntilParked` fires them). Returns false if no timer was
  // pending.
  bool AdvanceClockToNextTimer();

  // The wall clock: WallClockStart() plus the fake time elapsed.
  absl::Time UtcNow() const;
  // A handle to the scheduler's PRNG (shared: draws interleave with the
  // scheduler's own decisions, deterministically).
  SharedRng Rng() const { return rng_; }

  // Reports failures noticed since the last step (see the file comment).
  // Inline: Tick calls it twice per step, and the answer is nearly always no.
  void CheckFailures() {
    if (failures_pending_.load(std::memory_order_relaxed)) ReportFailures();
  }

  uint64_t seed() const { return config_.seed; }
  Strategy strategy() const { return config_.strategy; }
  // Steps run so far.
  uint64_t steps() const;
  size_t runnable_count() const;
  size_t timer_count() const;
  // Whether the task is spawned and neither finished nor cancelled.
  bool IsTaskRunning(TaskId id) const { return registry_->IsLive(id); }
  // Every live task (queued, suspended or waiting on a timer), by id.
  std::vector<TaskMetadata> PendingTasks() const;
  // A human-readable report: seed, clock, blocks, and every pending task.
  std::string DescribeState() const;

  // This run so far as a Schedule (schedule.h): the seed and the task of
  // every step. Needs record_schedule (else the steps are empty).
  ::scheduler::Schedule schedule() const;  // (the type; Schedule() is the method)
  // Preemptions and explicit steps so far, under the strategies whose queue
  // sees every candidate (fair random and the chooser strategies); nullopt
  // under random and PCT.
  std::optional<ScheduleStats> schedule_stats() const;

  // The running hash of the execution trace (equal for equal schedules).
  uint64_t trace_hash() const;
  // A copy of the trace; its events are kept only with record_trace.
  ExecutionTrace trace() const;
  // Writes the trace files (trace_export.h) to `prefix`; needs record_trace.
  absl::Status WriteTrace(const std::string& prefix) const;

 private:
  struct BlockFrame {
    BlockInfo info;
    int64_t budget;  // steps left for a BlockWithTimeout; -1 = unlimited
    // A BlockWithTimeout's deadline on the fake clock: the furthest its Park
    // moves the clock to fire a timer.
    std::optional<Instant> deadline;
  };

  TestScheduler(TestSchedulerConfig config, std::shared_ptr<SchedulerContext> context);

  // Queues `runnable` (moving from it) and returns true; after Shutdown,
  // returns false and leaves it to the caller, to be dropped unlocked.
  // Driving thread only (the queue is its own; see the protocol below).
  bool Enqueue(Runnable&& runnable);
  // Enqueues a runnable handed to Schedule*: directly on the driving thread,
  // through the inbox from any other.
  void ScheduleFromAnyThread(Runnable&& runnable);
  // Tick's bookkeeping: takes the next step's runnable (empty if none),
  // counting and tracing the step. No lock unless the inbox has work.
  Runnable NextStep(std::vector<Runnable>& rejected);
  // Moves what other threads scheduled into the queue, in their order; any
  // refused after Shutdown go to `rejected`. Driving thread only.
  void DrainInbox(std::vector<Runnable>& rejected) ABSL_LOCKS_EXCLUDED(mu_);
  // A fatal error naming `what` unless called on the driving thread.
  void AssertDrivingThread(const char* what) const;
  // Why a Block cannot progress, for the failure report.
  std::string StuckMessage() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves the earliest timer's runnable to the queue, at its deadline; one
  // refused after Shutdown goes to `rejected`, to be dropped unlocked.
  // Driving thread only.
  void FireTimer(std::vector<Runnable>& rejected) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Fires the earliest timer if its deadline is <= `limit`; returns whether
  // one fired. Takes mu_.
  bool FireTimerDueBy(Instant limit);
  // Takes a cancelled task's timer out of the heap (see Scheduler).
  void ReclaimCancelledTimer(internal::TaskCoreBase* task) override;
  // Records a non-determinism failure if parking is forbidden; for wakes
  // from threads other than the driving one.
  void NoteForeignWake(const TaskMetadata& task) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reports a Waker woken or dropped on a foreign thread (the registry's
  // hook) while parking is forbidden.
  void NoteForeignWakerEvent(const TaskMetadata& task, WakerEvent event);
  // CheckFailures' slow path.
  void ReportFailures();
  // Queues a failure for the driving thread's next CheckFailures.
  void DeferFailure(std::string failure) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reports `message` plus the state to `on_failure`, then aborts if it returns.
  void Fail(const std::string& message);
  void WriteTraceIfAsked();
  absl::Status WriteTraceUnchecked(const std::string& prefix) const;

  const TestSchedulerConfig config_;
  const std::thread::id main_thread_;
  // Waker events on the driving thread are deterministic: not reported.
  internal::WakerEventsExemption waker_exemption_;
  const std::shared_ptr<internal::TaskRegistry> registry_;
  const SharedRng rng_;
  Parker parker_;

  // OWNERSHIP PROTOCOL (why a step takes no lock).
  //   * The driving thread owns the ready queue, the trace, the schedule, the
  //     deprioritized labels and the blocking session: it alone reads or
  //     writes them, without mu_. Every step runs on it, and so does every
  //     Schedule* a step makes, so the common path (a step yields or wakes a
  //     task, the next step picks one) touches no lock and no atomic RMW.
  //   * Another thread never touches the queue: its Schedule* appends to
  //     inbox_ under mu_ and sets inbox_pending_; the driving thread moves
  //     the inbox into the queue at the top of its next step (NextStep), so a
  //     foreign wake costs the driving thread one relaxed load until it
  //     happens. Such a wake's place in the schedule depends on OS timing
  //     anyway (it is reported unless parking is allowed), so draining late
  //     loses no determinism; the driving thread's own enqueues keep their
  //     order exactly, so a seed replays as before.
  //   * What other threads may ask about the step state is published by the
  //     driving thread in relaxed atomics after each change (steps_,
  //     trace_hash_, queued_): single writer, so a plain load and store, no
  //     RMW. Observers that walk the queue or the trace are driving-thread
  //     only (AssertDrivingThread).
  //   * now_ and shut_down_ are written by the driving thread under mu_ (so
  //     a holder of mu_ sees them consistent with the timers and the inbox)
  //     and read by it without mu_: atomics, so that other threads' reads
  //     are not races either.
  //   * mu_ still guards the rest (timers, which any thread may arm or
  //     cancel; blocks, hints, parking mode, failures, ids) and is the PRNG's
  //     mutex (SharedRng::mutex()): under it, draw through LockedRng().
  absl::Mutex& mu_;
  // rng_.Locked() for a holder of mu_. The thread-safety analysis cannot see
  // that mu_ and rng_.mutex() are one mutex; this asserts it once.
  scheduler::Rng& LockedRng() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // --- Driving thread only, no lock ---
  std::unique_ptr<internal::ReadyQueue> queue_;
  absl::flat_hash_set<TaskLabel> deprioritized_;
  // The session of the innermost Block (blocks do not nest on the driving
  // thread): its queued tasks are not candidates. Mirrors blocks_.back().
  std::optional<SessionId> blocking_session_;
  ExecutionTrace trace_;
  std::vector<TaskId> schedule_steps_;  // with record_schedule
  bool step_is_foreground_ = false;

  // --- Written by the driving thread, readable from any thread ---
  std::atomic<uint64_t> steps_{0};
  std::atomic<uint64_t> trace_hash_;
  std::atomic<size_t> queued_{0};  // queue_->size()
  // Written under mu_ (see above).
  std::atomic<Instant> now_;
  std::atomic<bool> shut_down_{false};
  // Written only by the driving thread, around each step, and meaningful only
  // to it (IsMainThread checks the thread first), so no lock; atomic so that a
  // control misused from another thread is a reported error, not a data race.
  std::atomic<bool> in_step_{false};

  // --- Under mu_ ---
  // What other threads scheduled, in their order, for the driving thread to
  // queue; inbox_pending_ says it may be non-empty (set under mu_, read
  // without it).
  std::vector<Runnable> inbox_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> inbox_pending_{false};
  internal::TimerHeap timers_ ABSL_GUARDED_BY(mu_);
  uint64_t next_task_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool allow_parking_ ABSL_GUARDED_BY(mu_);
  int64_t block_on_ticks_min_ ABSL_GUARDED_BY(mu_);
  int64_t block_on_ticks_max_ ABSL_GUARDED_BY(mu_);
  std::vector<BlockFrame> blocks_ ABSL_GUARDED_BY(mu_);
  std::string test_waiting_hint_ ABSL_GUARDED_BY(mu_);
  std::optional<std::source_location> test_waiting_since_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> deferred_failures_ ABSL_GUARDED_BY(mu_);
  // Whether deferred_failures_ may be non-empty: lets the driving thread skip
  // the lock twice per step. Written under mu_, read without it.
  std::atomic<bool> failures_pending_{false};
};

}  // namespace scheduler

#endif  // TESTING_TEST_SCHEDULER_H_
