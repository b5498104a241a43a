#include "testing/test_scheduler.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/unhandled_exception.h"

namespace scheduler {
namespace {

// The fake clock starts here rather than at zero so that code subtracting
// durations from Now() does not underflow.
constexpr Instant kClockStart = Instant(std::chrono::hours(24 * 365));

}  // namespace

std::shared_ptr<TestScheduler> TestScheduler::Create(TestSchedulerConfig config) {
  return std::shared_ptr<TestScheduler>(new TestScheduler(std::move(config)));
}

TestScheduler::TestScheduler(TestSchedulerConfig config)
    : config_(std::move(config)),
      main_thread_(std::this_thread::get_id()),
      registry_(std::make_shared<internal::TaskRegistry>()),
      rng_(config_.seed),
      now_(kClockStart),
      allow_parking_(config_.allow_parking) {}

TestScheduler::~TestScheduler() { Shutdown(); }

void TestScheduler::Shutdown() {
  // Dropping a Runnable destroys its task's frame, whose destructors may wake
  // or spawn other tasks; with shut_down_ set those are handed back by Enqueue
  // and dropped too. Frames are destroyed outside the lock, since their
  // destructors may call back into the scheduler.
  std::vector<Runnable> doomed;
  {
    absl::MutexLock lock(&mu_);
    shut_down_ = true;
    queue_.DrainInto(doomed);
    timers_.DrainInto(doomed);
  }
  doomed.clear();
}

Runnable TestScheduler::Enqueue(Runnable runnable) {
  if (shut_down_) return runnable;
  const TaskMetadata& m = runnable.metadata();
  if (m.session.has_value()) {
    queue_.PushForeground(*m.session, std::move(runnable));
  } else if (m.label.has_value() && deprioritized_.contains(*m.label)) {
    queue_.PushDeprioritized(std::move(runnable));
  } else {
    queue_.PushBackground(std::move(runnable));
  }
  return Runnable();
}

void TestScheduler::Schedule(Runnable runnable) {
  Runnable rejected;  // declared first: dropped after the lock is released
  absl::MutexLock lock(&mu_);
  rejected = Enqueue(std::move(runnable));
}

void TestScheduler::ScheduleLabeled(Runnable runnable, TaskLabel) {
  Schedule(std::move(runnable));  // the label is in the metadata
}

void TestScheduler::ScheduleForeground(Runnable runnable) {
  if (!runnable.metadata().session.has_value()) {
    internal::FatalError("ScheduleForeground of a task without a session: " +
                         DescribeTask(runnable.metadata()));
  }
  Schedule(std::move(runnable));
}

void TestScheduler::ScheduleAfter(Duration delay, Runnable runnable) {
  Runnable rejected;
  absl::MutexLock lock(&mu_);
  if (delay <= Duration::zero() || shut_down_) {
    rejected = Enqueue(std::move(runnable));
    return;
  }
  timers_.Push(SaturatingAdd(now_, delay), std::move(runnable));
}

bool TestScheduler::Tick() {
  Runnable runnable;
  {
    absl::MutexLock lock(&mu_);
    if (in_step_) {
      internal::TaskCoreBase* running = internal::CurrentTask();
      internal::FatalError(absl::StrCat(
          "TestScheduler::Tick called while a step is running",
          running ? " (from inside " + DescribeTask(running->metadata()) + ")" : "",
          ". Tasks must not drive their own scheduler; await instead. seed=", config_.seed));
    }
    runnable = queue_.Pop(rng_, std::nullopt);
    if (!runnable) return false;
    in_step_ = true;
    step_is_foreground_ = runnable.metadata().is_foreground();
    ++steps_;
  }
  runnable.Run();
  {
    absl::MutexLock lock(&mu_);
    in_step_ = false;
  }
  ReportDeferredFailures();
  return true;
}

void TestScheduler::RunUntilParked() {
  while (Tick()) {
  }
}

void TestScheduler::AdvanceClock(Duration d) {
  Instant target;
  {
    absl::MutexLock lock(&mu_);
    target = SaturatingAdd(now_, NonNegative(d));
  }
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      const std::optional<Instant> next = timers_.NextDeadline();
      if (!next.has_value() || *next > target) {
        now_ = target;
        return;
      }
      internal::TimerHeap::Entry entry = timers_.Pop();
      now_ = entry.deadline;
      (void)Enqueue(std::move(entry.runnable));  // never rejected: timers_ was non-empty
    }
    RunUntilParked();
  }
}

bool TestScheduler::AdvanceClockToNextTimer() {
  {
    absl::MutexLock lock(&mu_);
    if (timers_.empty()) return false;
    internal::TimerHeap::Entry entry = timers_.Pop();
    now_ = entry.deadline;
    (void)Enqueue(std::move(entry.runnable));
  }
  RunUntilParked();
  return true;
}

bool TestScheduler::Park(std::optional<Duration> timeout) {
  int64_t budget = -1;  // unlimited
  if (timeout.has_value()) {
    absl::MutexLock lock(&mu_);
    budget = rng_.InRange(config_.block_on_ticks_min, config_.block_on_ticks_max);
  }
  while (true) {
    if (parker_.TryConsume()) return true;
    if (budget == 0) return false;
    if (Tick()) {
      if (budget > 0) --budget;
      continue;
    }
    if (timeout.has_value()) return false;
    bool allow_parking;
    {
      absl::MutexLock lock(&mu_);
      allow_parking = allow_parking_;
    }
    if (allow_parking) return parker_.Park(std::nullopt);
    Fail(
        "Block cannot make progress: nothing is runnable and parking is forbidden "
        "(call AllowParking() if another thread will wake the blocked future).");
  }
}

bool TestScheduler::IsMainThread() const {
  if (std::this_thread::get_id() != main_thread_) return false;
  absl::MutexLock lock(&mu_);
  return !in_step_ || step_is_foreground_;
}

Instant TestScheduler::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

TaskId TestScheduler::NextTaskId() {
  absl::MutexLock lock(&mu_);
  return TaskId(next_task_id_++);
}

void TestScheduler::OnUnhandledException(const TaskMetadata& task, std::exception_ptr error) {
  // Called inside a step: defer the report until the step has unwound, so
  // that `on_failure` may throw.
  absl::MutexLock lock(&mu_);
  deferred_failures_.push_back(absl::StrCat("Unhandled exception in detached ",
                                            DescribeTask(task), ": ", DescribeException(error)));
}

void TestScheduler::ReportDeferredFailures() {
  std::vector<std::string> failures;
  {
    absl::MutexLock lock(&mu_);
    failures.swap(deferred_failures_);
  }
  for (const std::string& failure : failures) Fail(failure);
}

void TestScheduler::Deprioritize(TaskLabel label) {
  absl::MutexLock lock(&mu_);
  deprioritized_.insert(label);
}

int TestScheduler::RandomDelayYields() {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(rng_.InRange(0, config_.max_random_delay_yields));
}

uint64_t TestScheduler::NextRandom() {
  absl::MutexLock lock(&mu_);
  return rng_.Next();
}

void TestScheduler::AllowParking() {
  absl::MutexLock lock(&mu_);
  allow_parking_ = true;
}

void TestScheduler::ForbidParking() {
  absl::MutexLock lock(&mu_);
  allow_parking_ = false;
}

uint64_t TestScheduler::steps() const {
  absl::MutexLock lock(&mu_);
  return steps_;
}

size_t TestScheduler::runnable_count() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

size_t TestScheduler::timer_count() const {
  absl::MutexLock lock(&mu_);
  return timers_.size();
}

std::vector<TaskMetadata> TestScheduler::PendingTasks() const {
  std::vector<TaskMetadata> out;
  for (const internal::TaskRegistry::Entry& entry : registry_->Live()) {
    out.push_back(entry.metadata);
  }
  return out;
}

std::string TestScheduler::DescribeState() const {
  std::string out;
  {
    absl::MutexLock lock(&mu_);
    absl::StrAppend(&out, "seed: ", config_.seed, "\nsteps run: ", steps_,
                    "\nclock: +", (now_ - kClockStart).count(), "ns\nrunnable: ", queue_.size(),
                    ", timers: ", timers_.size(), "\n");
  }
  const std::vector<internal::TaskRegistry::Entry> live = registry_->Live();
  absl::StrAppend(&out, "pending tasks (", live.size(), "):\n");
  for (const internal::TaskRegistry::Entry& entry : live) {
    absl::StrAppend(&out, "  ", DescribeTask(entry.metadata));
    if (!entry.waiting_hint.empty()) absl::StrAppend(&out, " waiting for: ", entry.waiting_hint);
    absl::StrAppend(&out, "\n");
  }
  return out;
}

void TestScheduler::Fail(const std::string& message) {
  const std::string report = absl::StrCat("TestScheduler failure: ", message, "\n", DescribeState());
  if (config_.on_failure) config_.on_failure(report);
  std::fprintf(stderr, "%s", report.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace scheduler
