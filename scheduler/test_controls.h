// TestControls: the test-only knobs of a scheduler, reached without linking it.
//
// Production code holds a `Scheduler` and must never link `//testing`. The
// TestScheduler implements this interface, and `Scheduler::GetTestControls()`
// returns it; production schedulers return nullptr, and `Executor` turns the
// calls into no-ops (or `std::nullopt`). That keeps test hooks in production
// call sites (for example `executor.SimulateRandomDelay()`) free of `#ifdef`s.
//
// All methods must be called from the thread that drives the TestScheduler
// (the test's thread), outside of any task step unless stated otherwise.
// Methods added after the first version have no-op defaults, so other
// implementations (fakes, forwarding wrappers) keep compiling.
#ifndef SCHEDULER_TEST_CONTROLS_H_
#define SCHEDULER_TEST_CONTROLS_H_

#include <cstdint>
#include <optional>
#include <source_location>
#include <string>

#include "scheduler/duration.h"
#include "scheduler/ids.h"
#include "scheduler/task_metadata.h"

namespace scheduler {

// What `Block` / `BlockWithTimeout` tell the test controls about a block.
struct BlockInfo {
  // The ForegroundExecutor session that blocks, if the block came from one:
  // that session's other foreground tasks must not run until it returns.
  std::optional<SessionId> session;
  // Set for `BlockWithTimeout`: the block gives up once its step budget (see
  // `SetBlockOnTicks`) is spent.
  std::optional<Duration> timeout;
  // Where `Block` was called, for diagnostics.
  std::source_location location;
};

class TestControls {
 public:
  virtual ~TestControls() = default;

  // Tasks with `label` run only when nothing else can: those scheduled from
  // now on, and those already queued.
  virtual void Deprioritize(TaskLabel label) = 0;
  // Runs one runnable task step. Returns false if nothing was runnable.
  virtual bool Tick() = 0;
  // Runs task steps until nothing is runnable. Timers already due (deadline
  // <= Now()) fire too; the clock does not move.
  virtual void RunUntilParked() = 0;
  // Runs what is runnable, then moves the fake clock forward by `d`, firing
  // due timers in deadline order, each at its own time, and running tasks to
  // quiescence after each.
  virtual void AdvanceClock(Duration d) = 0;
  // How many times `SimulateRandomDelay` should yield; drawn from the seed.
  // May be called from inside a task step.
  virtual int RandomDelayYields() = 0;
  // The seeded PRNG's next 64 bits. May be called from inside a task step.
  virtual uint64_t NextRandom() = 0;

  // Whether a `Block` that has nothing left to run may wait for another
  // thread to wake it (allowed) or fails the test at once (forbidden).
  virtual void AllowParking() {}
  virtual void ForbidParking() {}
  // A `BlockWithTimeout` runs between `min` and `max` (inclusive, seeded)
  // other task steps before it times out. Requires 0 <= min <= max.
  virtual void SetBlockOnTicks(int64_t /*min*/, int64_t /*max*/) {}
  // Text shown next to the waiting task in a stuck-test report. Inside a task
  // step it describes the running task; outside, the test itself. An empty
  // hint clears it. May be called from inside a task step.
  virtual void SetWaitingHint(std::string /*hint*/) {}
  // The same for a given task (no-op if it is not live).
  virtual void SetWaitingHint(TaskId /*task*/, std::string /*hint*/) {}
  // Marks the running task (or, outside a step, the test) as waiting since
  // `where`, until `FinishWaiting`; shown in stuck-test reports. May be called
  // from inside a task step.
  virtual void StartWaiting(std::source_location /*where*/) {}
  virtual void FinishWaiting() {}

  // Bracket every `Block` / `BlockWithTimeout` (called by block.h on the
  // blocking thread; `EndBlock` runs even if the block throws). Blocks do not
  // nest: a block cannot be started from inside a task step.
  virtual void BeginBlock(const BlockInfo& /*info*/) {}
  virtual void EndBlock() {}
  // The future given to a `Block` / `BlockWithTimeout` (its task: `task`) is
  // about to run one step. It runs outside the scheduler's queue (on the
  // blocking thread, or after a timeout inside the task that awaits the
  // handed-back future), so this is how a trace sees it. May be called from
  // inside a task step.
  virtual void OnDrivenStep(const TaskMetadata& /*task*/) {}
};

}  // namespace scheduler

#endif  // SCHEDULER_TEST_CONTROLS_H_
