#include "platforms/tests/scheduler_contract.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "executor/executor.h"
#include "gtest/gtest.h"
#include "platforms/tests/frame_counters.h"
#include "scheduler/block.h"
#include "scheduler/bounded_channel.h"
#include "scheduler/channel.h"
#include "scheduler/current_task.h"
#include "scheduler/oneshot.h"
#include "scheduler/spawn.h"
#include "scheduler/sync.h"
#include "scheduler/task.h"
#include "scheduler/yield.h"

namespace scheduler {

void SchedulerContractTest::SetUp() {
  harness_ = GetParam().make();
  ASSERT_NE(harness_, nullptr);
  scheduler_ = harness_->scheduler();
}

void SchedulerContractTest::TearDown() {
  harness_->Shutdown();
  scheduler_.reset();
  harness_.reset();
}

void SchedulerContractTest::RunMain(std::function<Future<void>()> body, Duration limit) {
  std::exception_ptr error;
  bool finished = false;
  SchedulerHarness* harness = harness_.get();
  Task<void> main =
      SpawnForeground(scheduler_, SessionId::New(),
                      [body = std::move(body), &error, &finished, harness]() -> Future<void> {
                        try {
                          co_await body();
                        } catch (...) {
                          error = std::current_exception();
                        }
                        finished = true;
                        harness->Done();
                      });
  const bool done = harness_->DriveUntilDone(limit);
  EXPECT_TRUE(done && finished) << "the test body did not finish (deadlock, or over the "
                                << std::chrono::duration_cast<std::chrono::seconds>(limit).count()
                                << " s limit)";
  if (error != nullptr) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "the test body threw: " << e.what();
    } catch (...) {
      ADD_FAILURE() << "the test body threw a non-std exception";
    }
  }
}

namespace {

using std::chrono::milliseconds;

TEST_P(SchedulerContractTest, SpawnsAndAwaitsManyBackgroundTasks) {
  Executor background(scheduler());
  constexpr int kTasks = 2000;
  std::atomic<int> runs{0};
  int64_t sum = 0;
  RunMain([&]() -> Future<void> {
    std::vector<Task<int>> tasks;
    for (int i = 0; i < kTasks; ++i) {
      tasks.push_back(background.Spawn([i, &runs]() -> Future<int> {
        runs.fetch_add(1);
        co_return i;
      }));
    }
    for (Task<int>& t : tasks) sum += co_await std::move(t);
  });
  EXPECT_EQ(runs.load(), kTasks);
  EXPECT_EQ(sum, int64_t{kTasks} * (kTasks - 1) / 2);
}

TEST_P(SchedulerContractTest, LabeledTasksRunLikeOthers) {
  Executor background(scheduler());
  const TaskLabel label = TaskLabel::New();
  int result = 0;
  RunMain([&]() -> Future<void> {
    Task<int> labeled = background.SpawnLabeled(label, []() -> Future<int> { co_return 7; });
    result = co_await std::move(labeled);
  });
  EXPECT_EQ(result, 7);
}

TEST_P(SchedulerContractTest, ForegroundTasksRunInFifoOrderOnTheMainThread) {
  if (!harness().runs_foreground_on_main_thread()) {
    GTEST_SKIP() << "a dedicated session runs foreground steps on its own thread: no main thread";
  }
  ForegroundExecutor foreground(scheduler());
  const std::thread::id main_thread = std::this_thread::get_id();
  auto s = scheduler();
  std::vector<int> order;
  int off_main = 0;
  RunMain([&]() -> Future<void> {
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 200; ++i) {
      tasks.push_back(foreground.Spawn([i, &order, &off_main, main_thread, s]() -> Future<void> {
        if (std::this_thread::get_id() != main_thread || !s->IsMainThread()) ++off_main;
        order.push_back(i);
        co_await Yield();  // a second step, queued behind everyone's first
        if (std::this_thread::get_id() != main_thread || !s->IsMainThread()) ++off_main;
      }));
    }
    for (Task<void>& t : tasks) co_await std::move(t);
  });
  EXPECT_EQ(off_main, 0);
  ASSERT_EQ(order.size(), 200u);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end())) << "foreground FIFO order broken";
}

TEST_P(SchedulerContractTest, ForegroundTasksSpawnedFromBackgroundKeepTheirOrder) {
  if (!harness().runs_foreground_on_main_thread()) {
    GTEST_SKIP() << "a dedicated session runs foreground steps on its own thread: no main thread";
  }
  Executor background(scheduler());
  auto s = scheduler();
  const SessionId session = SessionId::New();
  const std::thread::id main_thread = std::this_thread::get_id();
  std::vector<int> order;  // touched by foreground tasks only
  int off_main = 0;
  RunMain([&]() -> Future<void> {
    // Named, not a temporary in the co_await: GCC 12 destroys a capturing
    // lambda temporary inside a co_await expression twice.
    Task<std::vector<Task<void>>> spawner =
        background.Spawn([&, s, session]() -> Future<std::vector<Task<void>>> {
          std::vector<Task<void>> tasks;
          for (int i = 0; i < 100; ++i) {
            tasks.push_back(SpawnForeground(
                s, session, [i, &order, &off_main, s, main_thread]() -> Future<void> {
                  if (std::this_thread::get_id() != main_thread || !s->IsMainThread()) ++off_main;
                  order.push_back(i);
                  co_return;
                }));
          }
          co_return tasks;
        });
    std::vector<Task<void>> spawned = co_await std::move(spawner);
    for (Task<void>& t : spawned) co_await std::move(t);
  });
  EXPECT_EQ(off_main, 0);
  ASSERT_EQ(order.size(), 100u);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
}

TEST_P(SchedulerContractTest, BackgroundTasksAreNotOnTheMainThread) {
  if (harness().runs_only_while_driven()) {
    GTEST_SKIP() << "a driven scheduler runs every step on its driving thread, the main thread";
  }
  Executor background(scheduler());
  auto s = scheduler();
  const std::thread::id main_thread = std::this_thread::get_id();
  std::atomic<int> claims_main{0};
  std::atomic<int> on_main_thread{0};
  RunMain([&]() -> Future<void> {
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 200; ++i) {
      tasks.push_back(background.Spawn([&, s]() -> Future<void> {
        if (s->IsMainThread()) claims_main.fetch_add(1);
        if (std::this_thread::get_id() == main_thread) on_main_thread.fetch_add(1);
        co_await Yield();
        if (s->IsMainThread()) claims_main.fetch_add(1);
      }));
    }
    for (Task<void>& t : tasks) co_await std::move(t);
  });
  EXPECT_EQ(claims_main.load(), 0) << "IsMainThread() must be false in background steps";
  if (harness().runs_background_on_other_threads()) {
    EXPECT_EQ(on_main_thread.load(), 0) << "background steps ran on the main thread";
  }
  EXPECT_TRUE(s->IsMainThread()) << "the test's thread is the main thread";
}

TEST_P(SchedulerContractTest, TimersFireInDeadlineOrderAndNeverEarly) {
  if (!harness().runs_foreground_on_main_thread()) {
    GTEST_SKIP() << "a dedicated session runs foreground steps on its own thread: no main thread";
  }
  Executor background(scheduler());
  ForegroundExecutor foreground(scheduler());
  auto s = scheduler();
  // Far enough apart that two workers cannot plausibly reorder neighbours.
  const std::vector<milliseconds> delays = {milliseconds(200), milliseconds(50), milliseconds(150),
                                            milliseconds(100)};
  std::vector<milliseconds> fired;  // foreground only
  std::vector<std::pair<milliseconds, Duration>> elapsed;
  RunMain([&]() -> Future<void> {
    const Instant start = s->Now();
    std::vector<Task<void>> waiters;
    for (milliseconds d : delays) {
      waiters.push_back(foreground.Spawn([&, d, start]() -> Future<void> {
        co_await background.Timer(d);
        elapsed.emplace_back(d, s->Now() - start);
        fired.push_back(d);
      }));
    }
    for (Task<void>& t : waiters) co_await std::move(t);
  });
  ASSERT_EQ(fired.size(), delays.size());
  EXPECT_TRUE(std::is_sorted(fired.begin(), fired.end())) << "timers fired out of deadline order";
  for (const auto& [d, took] : elapsed) {
    EXPECT_GE(took, d) << "a " << d.count() << " ms timer fired early";
  }
}

TEST_P(SchedulerContractTest, NegativeAndZeroDelaysFireWithoutWaitingForATimer) {
  Executor background(scheduler());
  int completed = 0;
  RunMain([&]() -> Future<void> {
    co_await background.Timer(milliseconds(-5));
    ++completed;
    co_await background.Timer(Duration::zero());
    ++completed;
    co_await background.Timer(Duration::min());
    ++completed;
  });
  EXPECT_EQ(completed, 3);
}

TEST_P(SchedulerContractTest, DroppingAQueuedTaskNeverRunsItAndFreesItsFrame) {
  if (!harness().runs_foreground_on_main_thread()) {
    GTEST_SKIP() << "a dedicated session runs foreground steps on its own thread: no main thread";
  }
  ForegroundExecutor foreground(scheduler());
  auto live = std::make_shared<std::atomic<int>>(0);
  bool ran = false;
  RunMain([&]() -> Future<void> {
    {
      // Queued behind this step, which is still running: dropped unrun.
      Task<void> doomed = foreground.Spawn([&ran, token = LiveToken(live)]() -> Future<void> {
        ran = true;
        co_return;
      });
    }
    // Let the loop reach (and discard) the cancelled runnable. It belongs to
    // another session than this task, and the TestScheduler interleaves
    // sessions by seed, so how many yields that takes depends on the seed.
    for (int i = 0; i < 1000 && live->load() != 0; ++i) co_await Yield();
  });
  EXPECT_FALSE(ran);
  EXPECT_EQ(live->load(), 0);
}

TEST_P(SchedulerContractTest, CancellingARunningTaskStopsItAfterItsCurrentStep) {
  Executor background(scheduler());
  auto [started_tx, started_rx] = MakeOneshot<bool>();
  auto [gone_tx, gone_rx] = MakeOneshot<bool>();
  std::atomic<bool> cancelled{false};
  std::atomic<int> steps_after_cancel{0};
  bool frame_destroyed = false;
  RunMain([&]() -> Future<void> {
    Task<void> spinner =
        background.Spawn([&cancelled, &steps_after_cancel, started = std::move(started_tx),
                          gone = std::move(gone_tx)]() mutable -> Future<void> {
          (void)std::move(started).Send(true);
          // `gone` dies with the frame: its receiver learns the frame is gone.
          while (true) {
            if (cancelled.load()) steps_after_cancel.fetch_add(1);
            co_await Yield();
          }
        });
    EXPECT_TRUE((co_await started_rx).ok());
    spinner = Task<void>();  // cancel while it runs or is queued
    // Set only once Cancel has returned: a step that sees it was either
    // already running then (at most one) or started afterwards (a bug).
    cancelled.store(true);
    absl::StatusOr<bool> gone = co_await gone_rx;
    frame_destroyed = !gone.ok();
  });
  EXPECT_TRUE(frame_destroyed);
  EXPECT_LE(steps_after_cancel.load(), 1) << "at most the step already running";
}

TEST_P(SchedulerContractTest, BlockRunsAFutureToCompletionFromTheMainThread) {
  if (harness().runs_only_while_driven()) {
    GTEST_SKIP() << "a driven scheduler runs only while driven: a Block on its driving thread "
                    "would wait for itself";
  }
  Executor background(scheduler());
  const int sum = Block(scheduler(), [&]() -> Future<int> {
    std::vector<Task<int>> tasks;
    for (int i = 0; i < 10; ++i) {
      tasks.push_back(background.Spawn([i]() -> Future<int> {
        co_await Yield();
        co_return i;
      }));
    }
    int total = 0;
    for (Task<int>& t : tasks) total += co_await std::move(t);
    co_return total;
  });
  EXPECT_EQ(sum, 45);
}

TEST_P(SchedulerContractTest, BlockWithTimeoutHandsBackTheUnfinishedFuture) {
  if (harness().runs_only_while_driven()) {
    GTEST_SKIP() << "a driven scheduler runs only while driven: a Block on its driving thread "
                    "would wait for itself";
  }
  auto [tx, rx] = MakeChannel<int>();
  BlockResult<int> first = BlockWithTimeout(scheduler(), milliseconds(20), [&rx]() -> Future<int> {
    std::optional<int> v = co_await rx.Recv();
    co_return v.value_or(-1);
  });
  ASSERT_TRUE(first.timed_out());
  ASSERT_TRUE(tx.Send(7).ok());
  EXPECT_EQ(Block(scheduler(), std::move(first).TakeUnfinished()), 7);
}

TEST_P(SchedulerContractTest, ParkReturnsForAnUnparkAndTimesOutWithoutOne) {
  Unparker unparker = scheduler()->GetUnparker();
  if (harness().runs_background_on_other_threads()) {
    std::thread other([unparker] { unparker.Unpark(); });
    other.join();
  } else {
    unparker.Unpark();
  }
  EXPECT_TRUE(scheduler()->Park(std::nullopt));
  EXPECT_FALSE(scheduler()->Park(milliseconds(1))) << "the token was consumed";
}

TEST_P(SchedulerContractTest, ShutdownFreesPendingFramesAndCancelsLaterWork) {
  if (!harness().runs_foreground_on_main_thread()) {
    GTEST_SKIP() << "a dedicated session runs foreground steps on its own thread: no main thread";
  }
  Executor background(scheduler());
  ForegroundExecutor foreground(scheduler());
  auto s = scheduler();
  auto live = std::make_shared<std::atomic<int>>(0);
  auto [started_tx, started_rx] = MakeChannel<int>();
  constexpr int kTimed = 50;
  constexpr int kQueued = 50;
  RunMain([&]() -> Future<void> {
    for (int i = 0; i < kTimed; ++i) {
      // Half wait an hour, half forever (Duration::max(): a timer that never
      // fires). Both capture the scheduler: a cycle only Shutdown breaks.
      const Duration delay = i % 2 ? Duration(std::chrono::hours(1)) : Duration::max();
      background
          .Spawn([s, delay, tx = started_tx, token = LiveToken(live)]() -> Future<void> {
            (void)tx.Send(1);
            co_await Timer(s, delay);
            ADD_FAILURE() << "a timer fired that should not have";
          })
          .Detach();
    }
    for (int i = 0; i < kTimed; ++i) co_await started_rx.Recv();
    // Queued behind this step; the loop stops right after it (Done below).
    for (int i = 0; i < kQueued; ++i) {
      foreground.Spawn([token = LiveToken(live)]() -> Future<void> { co_return; }).Detach();
    }
  });
  EXPECT_GE(live->load(), kTimed) << "the timed tasks are alive before Shutdown";
  harness().Shutdown();
  EXPECT_EQ(live->load(), 0) << "Shutdown must destroy every pending frame";

  Task<int> late = background.Spawn([]() -> Future<int> { co_return 1; });
  EXPECT_TRUE((late.IsReady() || late.IsCancelled()));
  EXPECT_FALSE(late.IsReady());
  EXPECT_THROW(late.TakeResult("late"), TaskCancelledError);
  Task<void> late_timer = background.Timer(milliseconds(1));
  EXPECT_TRUE((late_timer.IsReady() || late_timer.IsCancelled()));
  Task<void> late_foreground = foreground.Spawn([]() -> Future<void> { co_return; });
  EXPECT_TRUE((late_foreground.IsReady() || late_foreground.IsCancelled()));
  EXPECT_FALSE(late_foreground.IsReady());
}

// Records which tasks have finished (completed or cancelled).
class FinishedTasks final : public TaskObserver {
 public:
  void OnTaskSpawned(const TaskMetadata&) override {}
  void OnTaskFinished(const TaskMetadata& task) override {
    absl::MutexLock lock(&mu_);
    finished_.insert(task.id);
  }
  bool Contains(TaskId id) const {
    absl::MutexLock lock(&mu_);
    return finished_.contains(id);
  }

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_set<TaskId> finished_ ABSL_GUARDED_BY(mu_);
};

TEST_P(SchedulerContractTest, ShutdownCancelsDetachedTasksThatNothingWillWake) {
  if (!harness().shutdown_cancels_detached_tasks()) {
    GTEST_SKIP() << "a wrapper's tasks belong to the wrapper, which has no shutdown of its own";
  }
  auto observer = std::make_shared<FinishedTasks>();
  scheduler()->AddTaskObserver(observer);
  Executor background(scheduler());
  // Nobody signals these, and the senders live on past Shutdown.
  Event event(Event::kManualReset);
  Event notify(Event::kAutoReset);
  Semaphore semaphore(0);
  // Named pairs, not structured bindings: clang 14 cannot capture those.
  auto channel = MakeChannel<int>();
  auto bounded_a = MakeBoundedChannel<int>(1);
  auto bounded_b = MakeBoundedChannel<int>(1);
  Receiver<int>& rx = channel.second;
  BoundedReceiver<int>& rx_a = bounded_a.second;
  BoundedReceiver<int>& rx_b = bounded_b.second;
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  // Each task sends its id in the step that then suspends: once the id is
  // received, that step has ended (TestScheduler) or will end before
  // Shutdown returns from joining the pool (dispatchers).
  auto id_channel = MakeChannel<TaskId>();
  auto waiter = [&](int kind) {
    return
        [&, kind, sentinel = FrameSentinel(destroyed), id_tx = id_channel.first]() -> Future<void> {
          (void)id_tx.Send(CurrentTaskMetadata()->id);
          switch (kind) {
            case 0:
              co_await event.Wait();
              break;
            case 1:
              co_await notify.Wait();
              break;
            case 2:
              (void)co_await semaphore.Acquire();
              break;
            case 3:
              (void)co_await rx.Recv();
              break;
            default:
              (void)co_await Select(rx_a, rx_b);
              break;
          }
          ADD_FAILURE() << "a task nobody signals resumed (kind " << kind << ")";
        };
  };
  constexpr int kKinds = 5;
  std::vector<TaskId> ids;
  std::vector<Task<void>> detach_later;
  Task<void> kept_past_shutdown;
  RunMain([&]() -> Future<void> {
    for (int kind = 0; kind < kKinds; ++kind) {
      // Detached before its first step, and detached once suspended (the
      // two places a detached task is registered).
      background.Spawn(waiter(kind)).Detach();
      detach_later.push_back(background.Spawn(waiter(kind)));
    }
    kept_past_shutdown = background.Spawn(waiter(0));
    for (int i = 0; i < 2 * kKinds + 1; ++i) ids.push_back(*co_await id_channel.second.Recv());
    for (Task<void>& task : detach_later) task.Detach();
  });
  EXPECT_EQ(destroyed->load(), 0) << "nothing signals them before Shutdown";
  for (TaskId id : ids) EXPECT_FALSE(observer->Contains(id));
  harness().Shutdown();
  EXPECT_EQ(destroyed->load(), 2 * kKinds) << "Shutdown must destroy every detached frame";
  int finished = 0;
  for (TaskId id : ids) finished += observer->Contains(id);
  EXPECT_EQ(finished, 2 * kKinds) << "their observers must see them finish";
  // A handle kept past Shutdown: detaching it now cancels the task at once,
  // since no step can run any more.
  kept_past_shutdown.Detach();
  EXPECT_EQ(destroyed->load(), 2 * kKinds + 1);
  int finished_after = 0;
  for (TaskId id : ids) finished_after += observer->Contains(id);
  EXPECT_EQ(finished_after, 2 * kKinds + 1);
}

TEST_P(SchedulerContractTest, DetachedExceptionsReachTheUnhandledExceptionHandler) {
  if (!harness().runs_foreground_on_main_thread()) {
    GTEST_SKIP() << "a dedicated session runs foreground steps on its own thread: no main thread";
  }
  Executor background(scheduler());
  ForegroundExecutor foreground(scheduler());
  auto [tx, rx] = MakeChannel<std::string>();
  harness().CaptureUnhandledExceptions([tx](const std::string& report) { (void)tx.Send(report); });
  constexpr int kBackground = 20;
  std::vector<std::string> reports;
  int after = 0;
  RunMain([&]() -> Future<void> {
    for (int i = 0; i < kBackground; ++i) {
      background
          .Spawn([]() -> Future<void> {
            throw std::runtime_error("boom in background");
            co_return;
          })
          .Detach();
    }
    foreground
        .Spawn([]() -> Future<void> {
          throw std::runtime_error("boom in foreground");
          co_return;
        })
        .Detach();
    for (int i = 0; i < kBackground + 1; ++i) reports.push_back(*co_await rx.Recv());
    // The threads that ran the failing steps still work.
    std::vector<Task<int>> tasks;
    for (int i = 0; i < 50; ++i) {
      tasks.push_back(background.Spawn([]() -> Future<int> { co_return 1; }));
    }
    for (Task<int>& t : tasks) after += co_await std::move(t);
  });
  const auto count = [&](const char* what) {
    return std::count_if(reports.begin(), reports.end(), [what](const std::string& r) {
      return r.find(what) != std::string::npos;
    });
  };
  EXPECT_EQ(count("boom in background"), kBackground);
  EXPECT_EQ(count("boom in foreground"), 1);
  EXPECT_EQ(after, 50);
}

TEST_P(SchedulerContractTest, WakeUpsFromForeignThreadsResumeTasks) {
  // A driven scheduler is single-threaded too, but its driver parks and is
  // poked by foreign wake-ups, which is what this checks.
  if (!harness().runs_background_on_other_threads() && !harness().runs_only_while_driven()) {
    GTEST_SKIP() << "a single-threaded scheduler is only woken by its own tasks";
  }
  Executor background(scheduler());
  auto [tx, rx] = MakeChannel<int>();
  int sum = 0;
  std::thread producer([tx = std::move(tx)] {
    for (int i = 1; i <= 100; ++i) (void)tx.Send(i);
  });
  RunMain([&]() -> Future<void> {
    Task<int> consumer = background.Spawn([&rx]() -> Future<int> {
      int total = 0;
      while (std::optional<int> v = co_await rx.Recv()) total += *v;
      co_return total;
    });
    sum = co_await std::move(consumer);
  });
  producer.join();
  EXPECT_EQ(sum, 5050);
}

}  // namespace
}  // namespace scheduler
