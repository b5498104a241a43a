// Block and BlockWithTimeout under the TestScheduler: blocked sessions, the
// step budget of a timeout, the handed-back future, and the report of a
// block that cannot make progress.
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "executor/executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/channel.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr Strategy kStrategies[] = {Strategy::kRandom, Strategy::kPct};

std::string Site(const TaskMetadata& m) {
  return absl::StrCat("blocking_test.cc:", m.location.line());
}

TestSchedulerConfig Throwing(std::string* report, TestSchedulerConfig config = {}) {
  config.on_failure = [report](const std::string& r) {
    *report = r;
    throw std::runtime_error("test scheduler failure");
  };
  return config;
}

Future<void> Produce(Sender<int> tx, int count) {
  for (int i = 0; i < count; ++i) {
    (void)tx.Send(i);
    co_await Yield();
  }
}

Future<void> Log(std::vector<std::string>* log, std::string entry) {
  log->push_back(std::move(entry));
  co_return;
}

// While a ForegroundExecutor blocks, its session's other tasks wait; other
// sessions and background tasks keep running.
TEST(BlockingTest, ForegroundBlockDoesNotRunItsOwnSession) {
  for (Strategy strategy : kStrategies) {
    bool other_session_ran_during_block = false;
    for (uint64_t seed = 0; seed < 40; ++seed) {
      SCOPED_TRACE(absl::StrCat("seed ", seed, " strategy ", StrategyName(strategy)));
      auto scheduler =
          TestScheduler::Create({.seed = seed, .strategy = strategy, .pct_max_steps = 20});
      ForegroundExecutor mine(scheduler);
      ForegroundExecutor other(scheduler);
      Executor background(scheduler);
      std::vector<std::string> log;
      std::vector<Task<void>> tasks;
      for (int i = 0; i < 3; ++i) {
        tasks.push_back(mine.Spawn(Log(&log, "mine")));
        tasks.push_back(other.Spawn(Log(&log, "other")));
      }
      auto [tx, rx] = MakeChannel<int>();
      tasks.push_back(background.Spawn(Produce(std::move(tx), 3)));
      mine.Block([&log, rx = std::move(rx)]() mutable -> Future<void> {
        while (co_await rx.Recv()) {
        }
        log.push_back("unblocked");
      });
      const auto unblocked = std::find(log.begin(), log.end(), "unblocked");
      ASSERT_NE(unblocked, log.end());
      EXPECT_EQ(std::count(log.begin(), unblocked, "mine"), 0) << "the blocked session ran";
      other_session_ran_during_block |= std::count(log.begin(), unblocked, "other") > 0;
      scheduler->RunUntilParked();
      EXPECT_EQ(std::count(log.begin(), log.end(), "mine"), 3) << "its tasks run afterwards";
    }
    EXPECT_TRUE(other_session_ran_during_block) << StrategyName(strategy);
  }
}

// The exclusion is per session: a background Block may run any session.
TEST(BlockingTest, BackgroundBlockRunsForegroundTasks) {
  bool ran = false;
  for (uint64_t seed = 0; seed < 40 && !ran; ++seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    ForegroundExecutor foreground(scheduler);
    Executor background(scheduler);
    std::vector<std::string> log;
    Task<void> task = foreground.Spawn(Log(&log, "foreground"));
    auto [tx, rx] = MakeChannel<int>();
    Task<void> producer = background.Spawn(Produce(std::move(tx), 3));
    background.Block([&log, rx = std::move(rx)]() mutable -> Future<void> {
      while (co_await rx.Recv()) {
      }
      log.push_back("unblocked");
    });
    ran = !log.empty() && log.front() == "foreground";
  }
  EXPECT_TRUE(ran);
}

TEST(BlockingTest, WaitingForItsOwnSessionIsReportedAsADeadlock) {
  std::string report;
  auto scheduler = TestScheduler::Create(Throwing(&report, {.seed = 3}));
  ForegroundExecutor foreground(scheduler);
  Task<void> queued = foreground.Spawn([]() -> Future<void> { co_return; });
  EXPECT_THROW(foreground.Block([&queued]() -> Future<void> { co_await std::move(queued); }),
               std::runtime_error);
  EXPECT_THAT(report, HasSubstr("cannot make progress"));
  EXPECT_THAT(report, HasSubstr(absl::StrCat("session#", foreground.session().value(),
                                             ", which is the session blocking here")));
  EXPECT_THAT(report, HasSubstr("blocked in Block at"));
}

// The budget belongs to the whole BlockWithTimeout call, although the
// blocked future is woken (and block.h parks again) many times, and it counts
// the blocked future's own steps as well as the other tasks': here each value
// costs two, the producer's step and the receiver's.
TEST(BlockingTest, TimeoutBudgetCoversTheWholeCall) {
  for (int64_t budget : {0, 1, 5, 12}) {
    SCOPED_TRACE(absl::StrCat("budget ", budget));
    auto scheduler =
        TestScheduler::Create({.block_on_ticks_min = budget, .block_on_ticks_max = budget});
    Executor executor(scheduler);
    auto [tx, rx] = MakeChannel<int>();
    Task<void> producer = executor.Spawn(Produce(std::move(tx), 100));
    int received = 0;
    const uint64_t steps_before = scheduler->steps();
    BlockResult<void> result = executor.BlockWithTimeout(
        std::chrono::seconds(1), [&received, rx = std::move(rx)]() mutable -> Future<void> {
          while (co_await rx.Recv()) ++received;
        });
    ASSERT_TRUE(result.timed_out());
    EXPECT_EQ(scheduler->steps() - steps_before, static_cast<uint64_t>((budget + 1) / 2));
    EXPECT_EQ(received, (budget + 1) / 2) << "one value per producer step, each a separate wake";
    // The handed-back future keeps its progress and finishes later.
    Task<void> rest = executor.Spawn(std::move(result).TakeUnfinished());
    scheduler->RunUntilParked();
    EXPECT_TRUE(rest.IsReady());
    EXPECT_EQ(received, 100);
  }
}

TEST(BlockingTest, SetBlockOnTicksDrawsTheBudgetFromItsRange) {
  auto scheduler = TestScheduler::Create({.seed = 11});
  scheduler->SetBlockOnTicks(3, 6);
  Executor executor(scheduler);
  std::vector<uint64_t> budgets;
  for (int i = 0; i < 40; ++i) {
    Task<void> spinner = executor.Spawn([]() -> Future<void> {
      while (true) co_await Yield();
    });
    const uint64_t before = scheduler->steps();
    BlockResult<void> r =
        executor.BlockWithTimeout(std::chrono::seconds(1), executor.Timer(std::chrono::hours(1)));
    ASSERT_TRUE(r.timed_out());
    budgets.push_back(scheduler->steps() - before);
  }
  EXPECT_EQ(*std::min_element(budgets.begin(), budgets.end()), 3u);
  EXPECT_EQ(*std::max_element(budgets.begin(), budgets.end()), 6u);
}

TEST(BlockingTest, BlockWithTimeoutReturnsTheValueWhenItFinishesInTime) {
  auto scheduler = TestScheduler::Create({.block_on_ticks_min = 50, .block_on_ticks_max = 50});
  ForegroundExecutor foreground(scheduler);
  Executor background(scheduler);
  Task<int> slow = background.Spawn([]() -> Future<int> {
    for (int i = 0; i < 10; ++i) co_await Yield();
    co_return 42;
  });
  BlockResult<int> r = foreground.BlockWithTimeout(std::chrono::seconds(1), std::move(slow));
  ASSERT_TRUE(r.finished());
  EXPECT_EQ(std::move(r).value(), 42);
}

TEST(BlockingTest, StuckBlockReportsSeedAndEveryPendingTask) {
  std::string report;
  auto scheduler = TestScheduler::Create(Throwing(&report, {.seed = 1234}));
  Executor background(scheduler);
  ForegroundExecutor foreground(scheduler);
  const TaskLabel label = TaskLabel::New();
  auto [tx, rx] = MakeChannel<int>();
  auto [tx2, rx2] = MakeChannel<int>();
  Task<void> hinted =
      background.SpawnLabeled(label, [s = scheduler, rx = std::move(rx)]() mutable -> Future<void> {
        s->SetWaitingHint("the reply from the server");
        co_await rx.Recv();
      });
  // Block moves the clock to a pending timer before it calls itself stuck.
  Task<void> sleeping = background.Timer(std::chrono::hours(1));
  Task<void> waiting =
      foreground.Spawn([s = scheduler, rx2 = std::move(rx2)]() mutable -> Future<void> {
        s->StartWaiting();
        co_await rx2.Recv();
      });
  scheduler->RunUntilParked();
  scheduler->SetWaitingHint("the test waits for a message nobody sends");
  auto [tx3, rx3] = MakeChannel<int>();
  EXPECT_THROW(
      background.Block([rx3 = std::move(rx3)]() mutable -> Future<void> { co_await rx3.Recv(); }),
      std::runtime_error);
  EXPECT_THAT(report, HasSubstr("parking is forbidden"));
  EXPECT_THAT(report, HasSubstr("seed: 1234"));
  EXPECT_THAT(report, HasSubstr("blocked in Block at"));
  EXPECT_THAT(report, HasSubstr(Site(hinted.metadata())));
  EXPECT_THAT(report, HasSubstr(absl::StrCat("[label#", label.value(), "]")));
  EXPECT_THAT(report, HasSubstr("waiting for: the reply from the server"));
  EXPECT_TRUE(sleeping.IsReady());
  EXPECT_THAT(report, HasSubstr("clock: +1h"));
  EXPECT_THAT(report, HasSubstr("timers: 0"));
  EXPECT_THAT(report, HasSubstr(Site(waiting.metadata())));
  EXPECT_THAT(report, HasSubstr("waiting since testing/tests/blocking_test.cc"));
  EXPECT_THAT(report, HasSubstr("test waiting for: the test waits for a message nobody sends"));
  // The blocked future itself is pending too, named by its Block call site.
  EXPECT_THAT(report, HasSubstr("pending tasks (3)"));
}

TEST(BlockingTest, FinishWaitingClearsTheMark) {
  std::string report;
  auto scheduler = TestScheduler::Create(Throwing(&report));
  Executor executor(scheduler);
  scheduler->StartWaiting();
  scheduler->FinishWaiting();
  auto [tx, rx] = MakeChannel<int>();
  EXPECT_THROW(
      executor.Block([rx = std::move(rx)]() mutable -> Future<void> { co_await rx.Recv(); }),
      std::runtime_error);
  EXPECT_THAT(report, Not(HasSubstr("test waiting since")));
}

// With parking allowed, a Block waits for a wake from another thread.
TEST(BlockingTest, AllowedParkingWaitsForAnotherThread) {
  auto scheduler = TestScheduler::Create();
  scheduler->AllowParking();
  Executor executor(scheduler);
  auto [tx, rx] = MakeChannel<int>();
  std::thread producer([tx = std::move(tx)] { (void)tx.Send(5); });
  const int value = executor.Block([rx = std::move(rx)]() mutable -> Future<int> {
    co_return (co_await rx.Recv()).value_or(-1);
  });
  producer.join();
  EXPECT_EQ(value, 5);
}

}  // namespace
}  // namespace scheduler
