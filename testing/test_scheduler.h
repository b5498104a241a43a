// TestScheduler: a deterministic, seeded Scheduler for tests.
//
// Nothing runs on its own. The test drives: `Tick()` runs one step,
// `RunUntilParked()` runs until nothing is runnable, `AdvanceClock(d)` moves a
// fake clock and fires timers in deadline order, and `Block` parks by running
// other tasks. Every choice (which runnable goes next, how long a blocked
// future may run, how many times `SimulateRandomDelay` yields) comes from one
// PRNG seeded with `seed`, so a seed replays the same interleaving on any
// machine.
//
//   auto scheduler = TestScheduler::Create({.seed = 42});
//   Executor executor(scheduler);
//   Task<int> t = executor.Spawn(Compute());
//   scheduler->RunUntilParked();
//   ASSERT_TRUE(t.IsReady());
//
// Ordering guarantees: background runnables run in seeded random order;
// foreground runnables of one session (one ForegroundExecutor) run in FIFO
// order; runnables of deprioritized labels run only when nothing else can.
// All steps run on the thread that drives the scheduler, which is "the main
// thread" while it runs a foreground step or no step at all.
//
// Failures (a block that cannot progress while parking is forbidden, an
// exception escaping a detached task) go to `config.on_failure` with the seed
// and every pending task's spawn location; the default prints and aborts.
//
// Thread-safety: Schedule*, Now and the observers may be called from any
// thread (other threads may wake tasks); the controls are for the driving
// thread. One step runs at a time; `Tick` from inside a step is a fatal error.
#ifndef TESTING_TEST_SCHEDULER_H_
#define TESTING_TEST_SCHEDULER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/parker.h"
#include "scheduler/scheduler.h"
#include "testing/internal/run_queue.h"
#include "testing/internal/task_registry.h"
#include "testing/internal/timer_heap.h"
#include "testing/rng.h"

namespace scheduler {

struct TestSchedulerConfig {
  uint64_t seed = 0;
  // Range (inclusive) of steps a `BlockWithTimeout` may run before timing out.
  int64_t block_on_ticks_min = 0;
  int64_t block_on_ticks_max = 1000;
  // Upper bound (inclusive) of yields for `SimulateRandomDelay`.
  int max_random_delay_yields = 10;
  // If false, a `Block` with nothing left to run fails instead of waiting for
  // another thread to wake it.
  bool allow_parking = false;
  // Receives the full failure report. May throw (it is called between steps);
  // if it returns, the process aborts.
  std::function<void(const std::string& report)> on_failure;
};

class TestScheduler final : public Scheduler,
                            public TestControls,
                            public std::enable_shared_from_this<TestScheduler> {
 public:
  static std::shared_ptr<TestScheduler> Create(TestSchedulerConfig config = {});
  ~TestScheduler() override;

  // --- Scheduler ---
  void Schedule(Runnable runnable) override;
  void ScheduleLabeled(Runnable runnable, TaskLabel label) override;
  void ScheduleForeground(Runnable runnable) override;
  void ScheduleAfter(Duration delay, Runnable runnable) override;
  bool Park(std::optional<Duration> timeout) override;
  Unparker GetUnparker() override { return parker_.GetUnparker(); }
  bool IsMainThread() const override;
  Instant Now() const override;
  TaskId NextTaskId() override;
  std::shared_ptr<TaskObserver> GetTaskObserver() override { return registry_; }
  TestControls* GetTestControls() override { return this; }
  void OnUnhandledException(const TaskMetadata& task, std::exception_ptr error) override;

  // --- TestControls ---
  void Deprioritize(TaskLabel label) override;
  bool Tick() override;
  void RunUntilParked() override;
  void AdvanceClock(Duration d) override;
  int RandomDelayYields() override;
  uint64_t NextRandom() override;

  // Cancels everything: drops every queued runnable and pending timer (which
  // destroys the frames of their tasks) and cancels whatever is scheduled
  // afterwards on the spot. Breaks reference cycles between the scheduler and
  // tasks that hold it. Call from the driving thread, outside any step.
  void Shutdown();

  // Fires the earliest timer (moving the clock to its deadline) and runs
  // until parked. Returns false if no timer was pending.
  bool AdvanceClockToNextTimer();
  void AllowParking();
  void ForbidParking();

  uint64_t seed() const { return config_.seed; }
  // Steps run so far.
  uint64_t steps() const;
  size_t runnable_count() const;
  size_t timer_count() const;
  // Whether the task is spawned and neither finished nor cancelled.
  bool IsTaskRunning(TaskId id) const { return registry_->IsLive(id); }
  // Every live task (queued, suspended or waiting on a timer), by id.
  std::vector<TaskMetadata> PendingTasks() const;
  // A human-readable report: seed, clock, and every pending task.
  std::string DescribeState() const;

 private:
  explicit TestScheduler(TestSchedulerConfig config);

  // Queues `runnable`; after Shutdown, hands it back to be dropped unlocked.
  Runnable Enqueue(Runnable runnable) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reports `message` plus the state to `on_failure`, then aborts if it returns.
  void Fail(const std::string& message);
  void ReportDeferredFailures();

  const TestSchedulerConfig config_;
  const std::thread::id main_thread_;
  const std::shared_ptr<internal::TaskRegistry> registry_;
  Parker parker_;

  mutable absl::Mutex mu_;
  Rng rng_ ABSL_GUARDED_BY(mu_);
  internal::RunQueue queue_ ABSL_GUARDED_BY(mu_);
  internal::TimerHeap timers_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<TaskLabel> deprioritized_ ABSL_GUARDED_BY(mu_);
  Instant now_ ABSL_GUARDED_BY(mu_);
  uint64_t next_task_id_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t steps_ ABSL_GUARDED_BY(mu_) = 0;
  bool allow_parking_ ABSL_GUARDED_BY(mu_);
  bool in_step_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  bool step_is_foreground_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> deferred_failures_ ABSL_GUARDED_BY(mu_);
};

}  // namespace scheduler

#endif  // TESTING_TEST_SCHEDULER_H_
