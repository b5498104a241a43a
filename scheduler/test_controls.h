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
#ifndef SCHEDULER_TEST_CONTROLS_H_
#define SCHEDULER_TEST_CONTROLS_H_

#include <cstdint>

#include "scheduler/duration.h"
#include "scheduler/ids.h"

namespace scheduler {

class TestControls {
 public:
  virtual ~TestControls() = default;

  // Tasks with `label` scheduled from now on run only when nothing else can.
  virtual void Deprioritize(TaskLabel label) = 0;
  // Runs one runnable task step. Returns false if nothing was runnable.
  virtual bool Tick() = 0;
  // Runs task steps until nothing is runnable (timers do not fire).
  virtual void RunUntilParked() = 0;
  // Moves the fake clock forward by `d`, firing due timers in deadline order,
  // each at its own time, and running tasks to quiescence after each.
  virtual void AdvanceClock(Duration d) = 0;
  // How many times `SimulateRandomDelay` should yield; drawn from the seed.
  // May be called from inside a task step.
  virtual int RandomDelayYields() = 0;
  // The seeded PRNG's next 64 bits. May be called from inside a task step.
  virtual uint64_t NextRandom() = 0;
};

}  // namespace scheduler

#endif  // SCHEDULER_TEST_CONTROLS_H_
