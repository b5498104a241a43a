// SchedulerHarness: how the scheduler contract suite (scheduler_contract.h)
// makes, drives and stops one scheduler implementation, so that the same
// tests run against a real run loop and the deterministic TestScheduler.
//
// Kept apart from the suite so that code can drive a scheduler the way the
// suite does (stress tests, other OSes' tests) without registering its tests.
#ifndef PLATFORMS_TESTS_SCHEDULER_HARNESS_H_
#define PLATFORMS_TESTS_SCHEDULER_HARNESS_H_

#include <functional>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "scheduler/duration.h"
#include "scheduler/scheduler.h"

namespace scheduler {

// How the suite makes, drives and stops one scheduler implementation.
// Methods are called on the test's (main) thread unless stated otherwise.
class SchedulerHarness {
 public:
  virtual ~SchedulerHarness() = default;

  // The scheduler under test; its main thread is the thread that made the
  // harness.
  virtual std::shared_ptr<Scheduler> scheduler() const = 0;

  // True if background runnables run on threads other than the main thread
  // (real dispatchers); false if everything runs on the driving thread (the
  // TestScheduler).
  virtual bool runs_background_on_other_threads() const = 0;

  // True for a *driven* scheduler (Block's DriverScheduler): every step,
  // background or foreground, runs on the thread in `DriveUntilDone`, which
  // is the main thread, and nothing runs while that thread is not driving.
  // The suite skips the few tests that cannot hold for it (each says why).
  virtual bool runs_only_while_driven() const { return false; }

  // False for a scheduler whose every step runs in one session of its own
  // (a dedicated session's, executor/dedicated.h): foreground work there runs
  // on the session's thread, not the test's, so the suite skips the tests
  // that spawn foreground tasks from the main thread (each says why).
  virtual bool runs_foreground_on_main_thread() const { return true; }

  // True if `Shutdown` cancels the detached tasks that nothing else reaches
  // (suspended on a primitive nobody will signal; scheduler.h,
  // `CancelLiveTasks`). Not for wrappers: their tasks belong to the wrapper,
  // which has no shutdown of its own.
  virtual bool shutdown_cancels_detached_tasks() const { return false; }

  // Runs the scheduler on the calling thread until `Done()` is called.
  // Returns false if it gives up first: `limit` of real time passed, or
  // nothing can make progress any more.
  virtual bool DriveUntilDone(Duration limit) = 0;

  // Makes the current `DriveUntilDone` return true. Thread-safe; may be
  // called from inside a task step.
  virtual void Done() = 0;

  // Cancels all pending work and stops the scheduler (its `Shutdown`).
  // Idempotent.
  virtual void Shutdown() = 0;

  // From now on, an exception escaping a detached task of this scheduler is
  // described to `sink` (on any thread, possibly inside a step) instead of
  // reaching the default handler, which aborts. For the harness's lifetime.
  virtual void CaptureUnhandledExceptions(std::function<void(const std::string&)> sink) = 0;
};

// A named way to make a harness; the parameter of the suite.
struct HarnessFactory {
  std::string name;
  std::function<std::unique_ptr<SchedulerHarness>()> make;
};

// For INSTANTIATE_TEST_SUITE_P's name generator argument.
std::string HarnessFactoryName(const testing::TestParamInfo<HarnessFactory>& info);

}  // namespace scheduler

#endif  // PLATFORMS_TESTS_SCHEDULER_HARNESS_H_
