#include "testing/test_scheduler.h"

#include <cstdio>
#include <cstdlib>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "scheduler/current_task.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/unhandled_exception.h"
#include "testing/internal/choice_queue.h"
#include "testing/internal/fair_random_chooser.h"
#include "testing/internal/fifo_queue.h"
#include "testing/internal/pct_queue.h"
#include "testing/internal/run_queue.h"
#include "testing/trace_export.h"

namespace scheduler {
namespace {

// The fake clock starts here rather than at zero so that code subtracting
// durations from Now() does not underflow.
constexpr Instant kClockStart = Instant(std::chrono::hours(24 * 365));
// The deadline of a timer armed for Duration::max(), minus one tick: what a
// Block may move the clock to, at most.
constexpr Instant kNever = Instant::max() - Duration(1);

// A queued Runnable's metadata without Runnable::metadata()'s out-of-line
// emptiness check: the step path reads it three times per step, and every
// Runnable it reads is one it holds. `runnable` must not be empty.
const TaskMetadata& MetadataOf(const Runnable& runnable) {
  return internal::RunnableAccess::Peek(runnable)->metadata();
}

// "+1h", "+20ms", ...
std::string Offset(Duration d) { return "+" + absl::FormatDuration(absl::FromChrono(d)); }

void CheckConfig(const TestSchedulerConfig& c) {
  std::string problem;
  if (c.block_on_ticks_min < 0 || c.block_on_ticks_min > c.block_on_ticks_max) {
    problem = absl::StrCat("block_on_ticks range [", c.block_on_ticks_min, ", ",
                           c.block_on_ticks_max, "] must satisfy 0 <= min <= max");
  } else if (c.num_cpus < 0) {
    problem = absl::StrCat("num_cpus must be >= 0 (0: the machine's), got ", c.num_cpus);
  } else if (c.max_random_delay_yields < 0) {
    problem = "max_random_delay_yields must be >= 0";
  } else if (c.pct_depth < 1) {
    problem = absl::StrCat("pct_depth must be >= 1, got ", c.pct_depth);
  } else if (c.pct_max_steps < 1) {
    problem = "pct_max_steps must be >= 1";
  } else if (c.fairness_bound < 1) {
    problem = "fairness_bound must be >= 1";
  } else if (!c.randomize_order && c.strategy != Strategy::kRandom) {
    problem = absl::StrCat(
        "randomize_order = false (FIFO mode) replaces the strategy; leave "
        "strategy at random, not ",
        StrategyName(c.strategy));
  } else if (NeedsChooser(c.strategy) && c.chooser == nullptr) {
    problem = absl::StrCat("strategy ", StrategyName(c.strategy),
                           " takes its choices from `chooser`, which is not set");
  } else if (!NeedsChooser(c.strategy) && c.chooser != nullptr) {
    problem = absl::StrCat("strategy ", StrategyName(c.strategy),
                           " makes its own choices; `chooser` is only for exhaustive, replay "
                           "and fuzz");
  }
  if (!problem.empty()) internal::FatalError("TestSchedulerConfig: " + problem);
}

// The strategies' own generator: a stream apart from the data stream (Rng()),
// so that replaying a run without its strategy leaves the data unchanged.
Rng ScheduleStream(uint64_t seed) { return Rng(seed ^ 0x5c4ed01e5c4ed01eULL); }

std::unique_ptr<internal::ReadyQueue> MakeQueue(const TestSchedulerConfig& c) {
  if (!c.randomize_order) return std::make_unique<internal::FifoQueue>();
  switch (c.strategy) {
    case Strategy::kRandom:
      return std::make_unique<internal::RunQueue>(ScheduleStream(c.seed));
    case Strategy::kPct:
      return std::make_unique<internal::PctQueue>(ScheduleStream(c.seed), c.pct_depth,
                                                  c.pct_max_steps);
    case Strategy::kFairRandom:
      return std::make_unique<internal::ChoiceQueue>(
          std::make_shared<internal::FairRandomChooser>(ScheduleStream(c.seed), c.fairness_bound));
    case Strategy::kExhaustive:
    case Strategy::kReplay:
    case Strategy::kFuzz:
      return std::make_unique<internal::ChoiceQueue>(c.chooser);
  }
  internal::FatalError("TestSchedulerConfig: unknown strategy");
}

// The TestScheduler's context: its fake clock, step-running Park, per-seed
// ids and failure reporting, for the scheduler and every wrapper sharing it.
// A wrapper may hold it after the scheduler died; then only the questions
// with a harmless answer are answered.
class TestSchedulerContext final : public SchedulerContext {
 public:
  TestSchedulerContext(int num_cpus, std::source_location created_at)
      : num_cpus_(num_cpus == 0 ? ::scheduler::NumCpus() : num_cpus), created_at_(created_at) {}
  int NumCpus() const override { return num_cpus_; }
  std::string DescribeMainThread() const override {
    return "the thread that created the TestScheduler at " + FormatLocation(created_at_) +
           " (outside background steps)";
  }

  void Attach(TestScheduler* owner) { owner_.store(owner, std::memory_order_release); }
  void Detach() { owner_.store(nullptr, std::memory_order_release); }

  bool Park(std::optional<Duration> timeout) override { return Owner("Park")->Park(timeout); }
  Unparker GetUnparker() override { return Owner("GetUnparker")->GetUnparker(); }
  bool IsMainThread() const override {
    TestScheduler* owner = owner_.load(std::memory_order_acquire);
    return owner != nullptr && owner->IsMainThread();
  }
  Instant Now() const override { return Owner("Now")->Now(); }
  TaskId NextTaskId() override { return Owner("NextTaskId")->NextTaskId(); }
  TestControls* GetTestControls() override { return owner_.load(std::memory_order_acquire); }
  void OnUnhandledException(const TaskMetadata& task, std::exception_ptr error) override {
    if (TestScheduler* owner = owner_.load(std::memory_order_acquire)) {
      owner->OnUnhandledException(task, std::move(error));
    } else {
      SchedulerContext::OnUnhandledException(task, std::move(error));
    }
  }

 private:
  TestScheduler* Owner(const char* what) const {
    TestScheduler* owner = owner_.load(std::memory_order_acquire);
    if (owner == nullptr) {
      internal::FatalError(absl::StrCat(what,
                                        " called on a TestScheduler's context after the "
                                        "TestScheduler was destroyed (a wrapper such as a "
                                        "blocked future or a scope outlived it)"));
    }
    return owner;
  }

  std::atomic<TestScheduler*> owner_{nullptr};
  const int num_cpus_;
  const std::source_location created_at_;
};

}  // namespace

absl::Time TestScheduler::WallClockStart() { return absl::FromUnixSeconds(1735689600); }

std::shared_ptr<TestScheduler> TestScheduler::Create(TestSchedulerConfig config,
                                                     std::source_location created_at) {
  CheckConfig(config);
  auto context = std::make_shared<TestSchedulerContext>(config.num_cpus, created_at);
  std::shared_ptr<TestScheduler> scheduler(
      new TestScheduler(std::move(config), std::move(context)));
  // Cleared by the destructor before anything else, so the raw pointer never
  // dangles inside the hook.
  scheduler->registry_->SetWakerHook(
      [raw = scheduler.get()](const TaskMetadata& task, WakerEvent event) {
        raw->NoteForeignWakerEvent(task, event);
      });
  return scheduler;
}

TestScheduler::TestScheduler(TestSchedulerConfig config, std::shared_ptr<SchedulerContext> context)
    : Scheduler(std::move(context)),
      config_(std::move(config)),
      main_thread_(std::this_thread::get_id()),
      registry_(std::make_shared<internal::TaskRegistry>()),
      rng_(config_.seed),
      mu_(rng_.mutex()),
      queue_(MakeQueue(config_)),
      trace_(config_.record_trace || !config_.trace_out.empty()),
      trace_hash_(trace_.hash()),
      now_(kClockStart),
      allow_parking_(config_.allow_parking),
      block_on_ticks_min_(config_.block_on_ticks_min),
      block_on_ticks_max_(config_.block_on_ticks_max) {
  static_cast<TestSchedulerContext&>(Scheduler::context()).Attach(this);
  AddTaskObserver(registry_);
}

TestScheduler::~TestScheduler() {
  registry_->SetWakerHook(nullptr);
  Shutdown();
  static_cast<TestSchedulerContext&>(context()).Detach();
}

void TestScheduler::Shutdown() {
  // Dropping a Runnable destroys its task's frame, whose destructors may wake
  // or spawn other tasks; with shut_down_ set those are handed back by Enqueue
  // and dropped too. Frames are destroyed outside the lock, since their
  // destructors may call back into the scheduler.
  std::vector<Runnable> doomed;
  bool first = false;
  queue_->DrainInto(doomed);
  queued_.store(0, std::memory_order_relaxed);
  {
    absl::MutexLock lock(&mu_);
    first = !shut_down_.load(std::memory_order_relaxed);
    shut_down_.store(true, std::memory_order_relaxed);
    for (Runnable& r : inbox_) doomed.push_back(std::move(r));
    inbox_.clear();
    inbox_pending_.store(false, std::memory_order_relaxed);
    timers_.DrainInto(doomed);
  }
  doomed.clear();
  // Then the detached tasks nothing else reaches (suspended on a primitive
  // nobody will signal). Wakes from their frames' destructors are refused.
  CancelLiveTasks();
  if (first) WriteTraceIfAsked();
}

bool TestScheduler::Enqueue(Runnable&& runnable) {
  if (shut_down_.load(std::memory_order_relaxed)) return false;
  const TaskMetadata& m = MetadataOf(runnable);
  if (m.session.has_value()) {
    queue_->PushForeground(*m.session, std::move(runnable));
  } else if (m.label.has_value() && deprioritized_.contains(*m.label)) {
    queue_->PushDeprioritized(std::move(runnable));
  } else {
    queue_->PushBackground(std::move(runnable));
  }
  // Single writer: a load and a store, no read-modify-write.
  queued_.store(queued_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  return true;
}

scheduler::Rng& TestScheduler::LockedRng() {
  rng_.mutex().AssertHeld();
  return rng_.Locked();
}

void TestScheduler::DrainInbox(std::vector<Runnable>& rejected) {
  std::vector<Runnable> arrived;
  {
    absl::MutexLock lock(&mu_);
    arrived.swap(inbox_);
    inbox_pending_.store(false, std::memory_order_relaxed);
  }
  for (Runnable& r : arrived) {
    if (!Enqueue(std::move(r))) rejected.push_back(std::move(r));
  }
}

void TestScheduler::AssertDrivingThread(const char* what) const {
  if (std::this_thread::get_id() == main_thread_) return;
  internal::FatalError(absl::StrCat(
      "TestScheduler::", what, " called on a thread other than the one driving the TestScheduler (",
      context().DescribeMainThread(),
      "): the ready queue and the trace belong to the driving thread, so only it may drive or "
      "inspect them. seed=",
      config_.seed));
}

void TestScheduler::NoteForeignWake(const TaskMetadata& task) {
  if (!allow_parking_ && !shut_down_.load(std::memory_order_relaxed)) {
    // The order of this wake against the driving thread's steps depends on
    // OS timing, so the seed no longer determines the run.
    DeferFailure(absl::StrCat(
        "Non-determinism: ", DescribeTask(task),
        " was woken from a thread other than the one driving the TestScheduler, while "
        "parking is forbidden. Its place in the schedule depends on OS timing, so the seed "
        "does not replay this run. Wake it from a task instead, or call AllowParking() if "
        "the test deliberately involves other threads."));
  }
}

void TestScheduler::NoteForeignWakerEvent(const TaskMetadata& task, WakerEvent event) {
  // Only threads other than the driving one get here (it holds an exemption,
  // see waker_exemption_).
  absl::MutexLock lock(&mu_);
  if (allow_parking_ || shut_down_.load(std::memory_order_relaxed)) return;
  const bool woken = event == WakerEvent::kWoken;
  DeferFailure(absl::StrCat(
      "Non-determinism: a Waker of ", DescribeTask(task), " was ", woken ? "woken" : "dropped",
      " on a thread other than the one driving the TestScheduler, while parking is forbidden. ",
      woken ? "Even a wake that schedules nothing (the task finished, or it is the blocked "
              "future) happens at a point in the schedule that depends on OS timing"
            : "Dropping it may free the task (its frame's destructors run there) at a point in "
              "the schedule that depends on OS timing",
      ", so the seed does not replay this run. Keep Wakers on the driving thread, or call "
      "AllowParking() if the test deliberately involves other threads."));
}

void TestScheduler::ScheduleFromAnyThread(Runnable&& runnable) {
  // The common case, a step waking a task (or yielding), takes no lock: the
  // queue is the driving thread's (see the protocol in the header). A
  // runnable refused after Shutdown stays with the caller, who drops it.
  if (std::this_thread::get_id() == main_thread_) {
    (void)Enqueue(std::move(runnable));
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    NoteForeignWake(MetadataOf(runnable));
    if (shut_down_.load(std::memory_order_relaxed)) return;  // dropped by the caller, unlocked
    inbox_.push_back(std::move(runnable));
    inbox_pending_.store(true, std::memory_order_relaxed);
  }
  // A Block parked with parking allowed re-checks the queue (and its Unpark
  // orders the inbox before that check).
  parker_.GetUnparker().Unpark();
}

void TestScheduler::Schedule(Runnable runnable) { ScheduleFromAnyThread(std::move(runnable)); }

void TestScheduler::ScheduleLabeled(Runnable runnable, TaskLabel) {
  ScheduleFromAnyThread(std::move(runnable));  // the label is in the metadata
}

void TestScheduler::ScheduleForeground(Runnable runnable) {
  if (!runnable.metadata().session.has_value()) {
    internal::FatalError("ScheduleForeground of a task without a session: " +
                         DescribeTask(runnable.metadata()));
  }
  ScheduleFromAnyThread(std::move(runnable));
}

void TestScheduler::ScheduleAfter(Duration delay, Runnable runnable) {
  if (delay <= Duration::zero()) {
    ScheduleFromAnyThread(std::move(runnable));
    return;
  }
  absl::MutexLock lock(&mu_);
  if (std::this_thread::get_id() != main_thread_) NoteForeignWake(MetadataOf(runnable));
  // After Shutdown the caller drops it, unlocked.
  if (shut_down_.load(std::memory_order_relaxed)) return;
  timers_.Push(SaturatingAdd(now_.load(std::memory_order_relaxed), delay), std::move(runnable));
}

Runnable TestScheduler::NextStep(std::vector<Runnable>& rejected) {
  // No lock: everything here is the driving thread's. Other threads' wakes
  // join the queue here, at a point their timing decides anyway.
  if (inbox_pending_.load(std::memory_order_relaxed)) DrainInbox(rejected);
  Runnable runnable = queue_->Pop(blocking_session_);
  if (runnable) {
    queued_.store(queued_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    const uint64_t step = steps_.load(std::memory_order_relaxed) + 1;
    steps_.store(step, std::memory_order_relaxed);
    const TaskMetadata& m = MetadataOf(runnable);
    trace_.RecordStep(step, m, now_.load(std::memory_order_relaxed) - kClockStart);
    trace_hash_.store(trace_.hash(), std::memory_order_relaxed);
    if (config_.record_schedule) schedule_steps_.push_back(m.id);
  }
  return runnable;
}

bool TestScheduler::Tick() {
  // The queue is the driving thread's: a Tick elsewhere would race with it.
  if (std::this_thread::get_id() != main_thread_) AssertDrivingThread("Tick");
  CheckFailures();
  if (in_step_.load(std::memory_order_relaxed)) {
    internal::TaskCoreBase* running = internal::CurrentTask();
    internal::FatalError(absl::StrCat(
        "TestScheduler::Tick called while a step is running",
        running ? " (from inside " + DescribeTask(running->metadata()) + ")" : "",
        ". Tasks must not drive their own scheduler; await instead. seed=", config_.seed));
  }
  std::vector<Runnable> rejected;  // refused after Shutdown: dropped on return
  Runnable runnable = NextStep(rejected);
  if (!runnable) return false;
  step_is_foreground_ = MetadataOf(runnable).is_foreground();
  in_step_.store(true, std::memory_order_relaxed);
  runnable.Run();
  in_step_.store(false, std::memory_order_relaxed);
  CheckFailures();
  return true;
}

void TestScheduler::RunUntilParked() {
  // Timers already due (the clock reached their deadline while firing an
  // earlier timer, e.g. AdvanceClockToNextTimer with equal deadlines) fire
  // too: being due, they are as runnable as anything queued.
  while (true) {
    while (Tick()) {
    }
    if (!FireTimerDueBy(Now())) break;
  }
}

void TestScheduler::FireTimer(std::vector<Runnable>& rejected) {
  internal::TimerHeap::Fired fired = timers_.Pop();
  Instant now = now_.load(std::memory_order_relaxed);
  if (fired.deadline > now) {
    now = fired.deadline;
    now_.store(now, std::memory_order_relaxed);
  }
  trace_.RecordTimerFired(steps_.load(std::memory_order_relaxed), MetadataOf(fired.runnable),
                          now - kClockStart);
  trace_hash_.store(trace_.hash(), std::memory_order_relaxed);
  if (!Enqueue(std::move(fired.runnable))) rejected.push_back(std::move(fired.runnable));
}

bool TestScheduler::FireTimerDueBy(Instant limit) {
  AssertDrivingThread("RunUntilParked");
  std::vector<Runnable> rejected;  // declared first: dropped after the lock is released
  absl::MutexLock lock(&mu_);
  if (timers_.empty() || timers_.earliest() > limit) return false;
  FireTimer(rejected);
  return true;
}

void TestScheduler::ReclaimCancelledTimer(internal::TaskCoreBase* task) {
  Runnable cancelled;  // declared first: dropped after the lock is released
  absl::MutexLock lock(&mu_);
  cancelled = timers_.Remove(task);
}

void TestScheduler::AdvanceClock(Duration d) {
  AssertDrivingThread("AdvanceClock");
  const Instant target = SaturatingAdd(now_.load(std::memory_order_relaxed), NonNegative(d));
  // What is runnable now runs at the current time, before the clock moves: a
  // timer it arms for `d` or less fires within this call.
  RunUntilParked();
  while (true) {
    std::vector<Runnable> rejected;
    {
      absl::MutexLock lock(&mu_);
      if (timers_.empty() || timers_.earliest() > target) {
        now_.store(target, std::memory_order_relaxed);
        break;
      }
      // One timer at a time, running tasks to quiescence in between, so each
      // timer's task sees the clock at its own deadline.
      FireTimer(rejected);
    }
    RunUntilParked();
  }
  CheckFailures();
}

bool TestScheduler::AdvanceClockToNextTimer() {
  AssertDrivingThread("AdvanceClockToNextTimer");
  {
    std::vector<Runnable> rejected;
    absl::MutexLock lock(&mu_);
    if (timers_.empty()) return false;
    FireTimer(rejected);
  }
  // Exactly one timer per call: others due at the same time stay pending
  // (RunUntilParked, AdvanceClock or the next call fire them).
  while (Tick()) {
  }
  return true;
}

bool TestScheduler::Park(std::optional<Duration> timeout) {
  // A BlockWithTimeout's budget belongs to the whole call (BeginBlock drew
  // it), however often block.h parks; a bare Park draws its own. Every step
  // counts against it: the other tasks' and the blocked future's own (block.h
  // runs one after each Park that returns true), so a future that only
  // re-yields times out too.
  int64_t own_budget = -1;
  bool in_block;
  // How far a timeout lets the clock move: a BlockWithTimeout fires timers up
  // to its own deadline; a bare Park with a timeout fires none.
  std::optional<Instant> clock_limit;
  {
    absl::MutexLock lock(&mu_);
    in_block = !blocks_.empty();
    if (timeout.has_value() && !in_block) {
      own_budget = LockedRng().InRange(block_on_ticks_min_, block_on_ticks_max_);
    }
    if (timeout.has_value()) {
      clock_limit = in_block && blocks_.back().deadline ? *blocks_.back().deadline
                                                        : now_.load(std::memory_order_relaxed);
    }
  }
  auto budget = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> int64_t& {
    return in_block && !blocks_.empty() ? blocks_.back().budget : own_budget;
  };
  auto spend = [&]() {
    if (!timeout.has_value()) return;
    absl::MutexLock lock(&mu_);
    if (budget() > 0) --budget();
  };
  bool ran_other = false;
  while (true) {
    CheckFailures();
    if (timeout.has_value()) {
      absl::MutexLock lock(&mu_);
      if (budget() == 0) return false;
    }
    if (parker_.TryConsume()) {
      // The blocked future can go on. If nothing else ran since its last
      // step (it yielded, or woke itself), this is still a scheduling point:
      // one other step runs first, as between any two steps of a task. The
      // blocking session's own tasks stay excluded (see NextStep).
      if (in_block && !ran_other && Tick()) spend();
      spend();  // the blocked future's step, which block.h runs next
      return true;
    }
    if (Tick()) {
      ran_other = true;
      spend();
      continue;
    }
    // Nothing can run. A timer already due fires whatever the mode.
    if (FireTimerDueBy(Now())) continue;
    bool forbidden;
    {
      absl::MutexLock lock(&mu_);
      forbidden = !allow_parking_;
    }
    // With parking forbidden no other thread may wake us, so the next timer
    // is the only way forward: move the clock to it (as a mock clock does
    // when the main thread idles). A timeout bounds how far it may move.
    // Never to a timer armed for Duration::max() ("never").
    if (forbidden && FireTimerDueBy(clock_limit.value_or(kNever))) continue;
    // Under the fake clock a timeout cannot elapse by waiting, so a
    // BlockWithTimeout with nothing left before its deadline gives up now.
    if (timeout.has_value()) return false;
    std::string stuck;
    {
      absl::MutexLock lock(&mu_);
      if (!allow_parking_) stuck = StuckMessage();
    }
    if (stuck.empty()) return parker_.Park(std::nullopt);
    Fail(stuck);
  }
}

std::string TestScheduler::StuckMessage() const {
  std::string where = "Block";
  if (!blocks_.empty()) {
    const BlockInfo& info = blocks_.back().info;
    where = absl::StrCat(info.timeout ? "BlockWithTimeout" : "Block", " at ",
                         FormatLocation(info.location));
  }
  std::string message =
      absl::StrCat(where, " cannot make progress: nothing is runnable and parking is forbidden ",
                   "(call AllowParking() if another thread will wake the blocked future).");
  if (blocking_session_ && !queue_->empty()) {
    absl::StrAppend(&message, " The only queued tasks belong to session#",
                    blocking_session_->value(),
                    ", which is the session blocking here: they cannot run until the block "
                    "returns, so the blocked future must not wait for them.");
  }
  return message;
}

bool TestScheduler::IsMainThread() const {
  if (std::this_thread::get_id() != main_thread_) return false;
  return !in_step_.load(std::memory_order_relaxed) || step_is_foreground_;
}

void TestScheduler::AssertMainThread(std::source_location where) const {
  if (IsMainThread()) return;
  std::string instead = "on another thread";
  if (std::this_thread::get_id() == main_thread_) {
    internal::TaskCoreBase* running = internal::CurrentTask();
    instead = absl::StrCat("inside background ",
                           running ? DescribeTask(running->metadata()) : std::string("step"),
                           " (a worker thread in production)");
  }
  internal::FatalError(absl::StrCat("AssertMainThread failed at ", FormatLocation(where),
                                    ": called ", instead, ", but the main thread is ",
                                    context().DescribeMainThread(), ". seed=", config_.seed));
}

Instant TestScheduler::Now() const { return now_.load(std::memory_order_relaxed); }

absl::Time TestScheduler::UtcNow() const {
  return WallClockStart() + absl::FromChrono(Now() - kClockStart);
}

TaskId TestScheduler::NextTaskId() {
  absl::MutexLock lock(&mu_);
  return TaskId(next_task_id_++);
}

void TestScheduler::OnUnhandledException(const TaskMetadata& task, std::exception_ptr error) {
  // Called inside a step: defer the report until the step has unwound, so
  // that `on_failure` may throw.
  absl::MutexLock lock(&mu_);
  DeferFailure(absl::StrCat("Unhandled exception in detached ", DescribeTask(task), ": ",
                            DescribeException(error)));
}

void TestScheduler::DeferFailure(std::string failure) {
  deferred_failures_.push_back(std::move(failure));
  failures_pending_.store(true, std::memory_order_relaxed);
}

void TestScheduler::ReportFailures() {
  // Reported once the step has returned. Both flags are only hints read
  // without the lock: the driving thread sees its own writes, and a failure
  // deferred by another thread concurrently with a check has no order
  // against it anyway, so it is reported at the next check.
  if (in_step_.load(std::memory_order_relaxed)) return;
  std::vector<std::string> failures;
  {
    absl::MutexLock lock(&mu_);
    failures.swap(deferred_failures_);
    failures_pending_.store(false, std::memory_order_relaxed);
  }
  if (!failures.empty()) Fail(absl::StrJoin(failures, "\n"));
}

void TestScheduler::Deprioritize(TaskLabel label) {
  AssertDrivingThread("Deprioritize");
  std::vector<Runnable> rejected;
  // Work already queued moves too (the seeds' move_to_deprioritized_queue);
  // what other threads scheduled joins the queue first so it is covered.
  DrainInbox(rejected);
  deprioritized_.insert(label);
  queue_->MoveToDeprioritized(label);
}

int TestScheduler::RandomDelayYields() {
  return static_cast<int>(rng_.InRange(0, config_.max_random_delay_yields));
}

uint64_t TestScheduler::NextRandom() { return rng_.Next(); }

void TestScheduler::AllowParking() {
  absl::MutexLock lock(&mu_);
  allow_parking_ = true;
}

void TestScheduler::ForbidParking() {
  absl::MutexLock lock(&mu_);
  allow_parking_ = false;
}

void TestScheduler::SetBlockOnTicks(int64_t min, int64_t max) {
  if (min < 0 || min > max) {
    internal::FatalError(absl::StrCat("TestScheduler::SetBlockOnTicks(", min, ", ", max,
                                      "): the range must satisfy 0 <= min <= max"));
  }
  absl::MutexLock lock(&mu_);
  block_on_ticks_min_ = min;
  block_on_ticks_max_ = max;
}

void TestScheduler::SetWaitingHint(std::string hint) {
  if (const TaskMetadata* task = CurrentTaskMetadata()) {
    registry_->SetWaitingHint(task->id, std::move(hint));
    return;
  }
  absl::MutexLock lock(&mu_);
  test_waiting_hint_ = std::move(hint);
}

void TestScheduler::SetWaitingHint(TaskId task, std::string hint) {
  registry_->SetWaitingHint(task, std::move(hint));
}

void TestScheduler::StartWaiting(std::source_location where) {
  if (const TaskMetadata* task = CurrentTaskMetadata()) {
    registry_->SetWaitingSince(task->id, where);
    return;
  }
  absl::MutexLock lock(&mu_);
  test_waiting_since_ = where;
}

void TestScheduler::FinishWaiting() {
  if (const TaskMetadata* task = CurrentTaskMetadata()) {
    registry_->SetWaitingSince(task->id, std::nullopt);
    return;
  }
  absl::MutexLock lock(&mu_);
  test_waiting_since_.reset();
}

void TestScheduler::BeginBlock(const BlockInfo& info) {
  // A token left by an earlier block that timed out is stale: this block's
  // pokes start now.
  (void)parker_.TryConsume();
  absl::MutexLock lock(&mu_);
  const int64_t budget =
      info.timeout.has_value() ? LockedRng().InRange(block_on_ticks_min_, block_on_ticks_max_) : -1;
  std::optional<Instant> deadline;
  if (info.timeout.has_value()) deadline = SaturatingAdd(now_, NonNegative(*info.timeout));
  blocks_.push_back(BlockFrame{info, budget, deadline});
  blocking_session_ = info.session;  // blocks do not nest: the innermost decides
}

void TestScheduler::EndBlock() {
  absl::MutexLock lock(&mu_);
  if (!blocks_.empty()) blocks_.pop_back();
  blocking_session_ = blocks_.empty() ? std::nullopt : blocks_.back().info.session;
}

void TestScheduler::OnDrivenStep(const TaskMetadata& task) {
  trace_.RecordDrivenStep(steps_.load(std::memory_order_relaxed), task,
                          now_.load(std::memory_order_relaxed) - kClockStart);
  trace_hash_.store(trace_.hash(), std::memory_order_relaxed);
}

uint64_t TestScheduler::steps() const { return steps_.load(std::memory_order_relaxed); }

size_t TestScheduler::runnable_count() const {
  absl::MutexLock lock(&mu_);
  return queued_.load(std::memory_order_relaxed) + inbox_.size();
}

size_t TestScheduler::timer_count() const {
  absl::MutexLock lock(&mu_);
  return timers_.size();
}

::scheduler::Schedule TestScheduler::schedule() const {
  AssertDrivingThread("schedule");
  return ::scheduler::Schedule{.seed = config_.seed, .steps = schedule_steps_};
}

std::optional<ScheduleStats> TestScheduler::schedule_stats() const {
  AssertDrivingThread("schedule_stats");
  if (const auto* choices = dynamic_cast<const internal::ChoiceQueue*>(queue_.get())) {
    return choices->stats();
  }
  return std::nullopt;
}

uint64_t TestScheduler::trace_hash() const { return trace_hash_.load(std::memory_order_relaxed); }

ExecutionTrace TestScheduler::trace() const {
  AssertDrivingThread("trace");
  return trace_;
}

absl::Status TestScheduler::WriteTrace(const std::string& prefix) const {
  AssertDrivingThread("WriteTrace");
  return WriteTraceUnchecked(prefix);
}

absl::Status TestScheduler::WriteTraceUnchecked(const std::string& prefix) const {
  return WriteTraceFiles(trace_,
                         TraceExportInfo{.title = "TestScheduler trace",
                                         .seed = config_.seed,
                                         .strategy = std::string(StrategyName(config_.strategy))},
                         prefix);
}

void TestScheduler::WriteTraceIfAsked() {
  if (config_.trace_out.empty()) return;
  // Shutdown's trace file: Shutdown may run on the thread that drops the
  // last reference, which then owns the trace (nobody can step any more).
  const absl::Status status = WriteTraceUnchecked(config_.trace_out);
  if (!status.ok()) {
    std::fprintf(stderr, "TestScheduler: could not write the trace: %s\n",
                 status.ToString().c_str());
  }
}

std::vector<TaskMetadata> TestScheduler::PendingTasks() const {
  std::vector<TaskMetadata> out;
  for (const internal::TaskRegistry::Entry& entry : registry_->Live()) {
    out.push_back(entry.metadata);
  }
  return out;
}

std::string TestScheduler::DescribeState() const {
  AssertDrivingThread("DescribeState");
  std::string out;
  // Where each live task is: queued, on a timer, or neither (suspended).
  absl::flat_hash_set<TaskId> runnable;
  absl::flat_hash_map<TaskId, Duration> timer_due;
  {
    absl::MutexLock lock(&mu_);
    absl::StrAppend(
        &out, "seed: ", config_.seed, "\nstrategy: ",
        config_.randomize_order ? StrategyName(config_.strategy) : "fifo (randomize_order = false)",
        "\nsteps run: ", steps_.load(std::memory_order_relaxed),
        "\nclock: ", Offset(Now() - kClockStart), " (wall clock ",
        absl::FormatTime(absl::RFC3339_full, UtcNow(), absl::UTCTimeZone()),
        ")\nrunnable: ", queue_->size() + inbox_.size(), ", timers: ", timers_.size(), "\n");
    for (const BlockFrame& frame : blocks_) {
      absl::StrAppend(&out, "blocked in ", frame.info.timeout ? "BlockWithTimeout" : "Block",
                      " at ", FormatLocation(frame.info.location));
      if (frame.info.session) absl::StrAppend(&out, " from session#", frame.info.session->value());
      if (frame.budget >= 0) absl::StrAppend(&out, " (", frame.budget, " steps left)");
      absl::StrAppend(&out, "\n");
    }
    if (!test_waiting_hint_.empty()) {
      absl::StrAppend(&out, "test waiting for: ", test_waiting_hint_, "\n");
    }
    if (test_waiting_since_) {
      absl::StrAppend(&out, "test waiting since: ", FormatLocation(*test_waiting_since_), "\n");
    }
    queue_->ForEach([&](const Runnable& r) { runnable.insert(r.metadata().id); });
    for (const Runnable& r : inbox_) runnable.insert(r.metadata().id);
    for (const internal::TimerHeap::Entry& e : timers_.entries()) {
      timer_due[e.task->metadata().id] = e.deadline - kClockStart;
    }
  }
  const std::vector<internal::TaskRegistry::Entry> live = registry_->Live();
  absl::StrAppend(&out, "pending tasks (", live.size(), "):\n");
  for (const internal::TaskRegistry::Entry& entry : live) {
    const TaskId id = entry.metadata.id;
    absl::StrAppend(&out, "  ", DescribeTask(entry.metadata));
    if (runnable.contains(id)) {
      absl::StrAppend(&out, " - runnable");
    } else if (auto t = timer_due.find(id); t != timer_due.end()) {
      absl::StrAppend(&out, " - timer due at ", Offset(t->second));
    } else {
      absl::StrAppend(&out, " - suspended");
    }
    if (!entry.waiting_hint.empty()) absl::StrAppend(&out, "; waiting for: ", entry.waiting_hint);
    if (entry.waiting_since) {
      absl::StrAppend(&out, "; waiting since ", FormatLocation(*entry.waiting_since));
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

void TestScheduler::Fail(const std::string& message) {
  const std::string report =
      absl::StrCat("TestScheduler failure: ", message, "\n", DescribeState());
  if (config_.on_failure) config_.on_failure(report);
  std::fprintf(stderr, "%s", report.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace scheduler
