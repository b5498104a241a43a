// Reproducibility: a seed determines the whole run (same trace hash in 100
// runs and in separate processes), different seeds explore different orders,
// a run written down as a schedule string replays to the same trace hash
// without its strategy, and a wake from a foreign thread, which breaks all
// that, is reported.
#include <cstdlib>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "executor/executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/channel.h"
#include "scheduler/yield.h"
#include "testing/replay_chooser.h"
#include "testing/schedule.h"
#include "testing/test_scheduler.h"
#include "testing/tests/self_exec.h"

namespace scheduler {
namespace {

using ::testing::HasSubstr;
using Log = std::vector<std::string>;

Future<void> Worker(Executor executor, Sender<int> tx, int id, Log* log) {
  for (int i = 0; i < 3; ++i) {
    log->push_back(absl::StrCat("w", id, ".", i));
    co_await executor.SimulateRandomDelay();
    (void)tx.Send(id * 10 + i);
  }
}

Future<void> Consumer(Receiver<int> rx, Log* log) {
  while (std::optional<int> v = co_await rx.Recv()) log->push_back(absl::StrCat("got", *v));
}

Future<void> Ticker(Executor executor, int id, Log* log) {
  for (int i = 0; i < 3; ++i) {
    co_await executor.Timer(std::chrono::milliseconds(7 * (id + 1)));
    log->push_back(absl::StrCat("t", id, ".", i));
  }
}

Future<void> Ui(std::string name, Log* log) {
  log->push_back(name + ".start");
  co_await Yield();
  log->push_back(name + ".end");
}

struct Outcome {
  uint64_t hash;
  Log log;
  Schedule schedule;  // recorded
  std::optional<ScheduleStats> stats;
};

// Touches every kind of decision: background, labeled (deprioritized),
// two foreground sessions, timers, channels, SimulateRandomDelay, Rng(),
// BlockWithTimeout and AdvanceClock.
// `config` brings the seed and the strategy.
Outcome RunWorkload(TestSchedulerConfig config) {
  config.block_on_ticks_min = 0;
  config.block_on_ticks_max = 10;
  config.pct_depth = 3;
  config.pct_max_steps = 120;
  config.record_schedule = true;
  auto scheduler = TestScheduler::Create(std::move(config));
  Executor background(scheduler);
  ForegroundExecutor first(scheduler);
  ForegroundExecutor second(scheduler);
  const TaskLabel slow = TaskLabel::New();
  scheduler->Deprioritize(slow);
  Log log;
  std::vector<Task<void>> tasks;
  {
    auto [tx, rx] = MakeChannel<int>();
    for (int i = 0; i < 4; ++i) tasks.push_back(background.Spawn(Worker(background, tx, i, &log)));
    tasks.push_back(background.Spawn(Consumer(std::move(rx), &log)));
  }
  for (int i = 0; i < 3; ++i) {
    tasks.push_back(first.Spawn(Ui(absl::StrCat("a", i), &log)));
    tasks.push_back(second.Spawn(Ui(absl::StrCat("b", i), &log)));
    tasks.push_back(background.Spawn(Ticker(background, i, &log)));
  }
  tasks.push_back(background.SpawnLabeled(slow, Ui("slow", &log)));
  // Inputs drawn from the scheduler's PRNG replay with the seed.
  const int extra = static_cast<int>(scheduler->Rng().InRange(0, 3));
  for (int i = 0; i < extra; ++i) tasks.push_back(background.Spawn(Ui("extra", &log)));
  BlockResult<void> partial =
      first.BlockWithTimeout(std::chrono::seconds(1), [&log]() -> Future<void> {
        for (int i = 0; i < 5; ++i) co_await Yield();
        log.push_back("blocked-future-done");
      });
  if (partial.timed_out()) tasks.push_back(background.Spawn(std::move(partial).TakeUnfinished()));
  scheduler->RunUntilParked();
  scheduler->AdvanceClock(std::chrono::milliseconds(100));
  return Outcome{scheduler->trace_hash(), log, scheduler->schedule(), scheduler->schedule_stats()};
}

Outcome RunWorkload(uint64_t seed, Strategy strategy) {
  return RunWorkload({.seed = seed, .strategy = strategy});
}

Outcome Replay(const Schedule& schedule) {
  return RunWorkload({.seed = schedule.seed,
                      .strategy = Strategy::kReplay,
                      .chooser = std::make_shared<ReplayChooser>(schedule)});
}

constexpr Strategy kStrategies[] = {Strategy::kRandom, Strategy::kPct, Strategy::kFairRandom};

TEST(DeterminismTest, SameSeedGivesTheSameTraceIn100Runs) {
  for (Strategy strategy : kStrategies) {
    for (uint64_t seed : {0ull, 7ull, 123456789ull}) {
      const Outcome reference = RunWorkload(seed, strategy);
      for (int run = 0; run < 100; ++run) {
        const Outcome again = RunWorkload(seed, strategy);
        ASSERT_EQ(again.hash, reference.hash) << "seed " << seed << " run " << run;
        ASSERT_EQ(again.log, reference.log) << "seed " << seed << " run " << run;
      }
    }
  }
}

TEST(DeterminismTest, DifferentSeedsGiveManyDifferentOrders) {
  for (Strategy strategy : kStrategies) {
    std::set<uint64_t> hashes;
    std::set<Log> logs;
    for (uint64_t seed = 0; seed < 100; ++seed) {
      Outcome o = RunWorkload(seed, strategy);
      hashes.insert(o.hash);
      logs.insert(std::move(o.log));
    }
    EXPECT_GE(hashes.size(), 95u) << StrategyName(strategy);
    EXPECT_GE(logs.size(), 90u) << StrategyName(strategy);
  }
}

std::string HashLines() {
  std::ostringstream out;
  for (Strategy strategy : kStrategies) {
    for (uint64_t seed = 0; seed < 20; ++seed) {
      out << "trace-hash " << StrategyName(strategy) << " seed " << seed << " = "
          << RunWorkload(seed, strategy).hash << "\n";
    }
  }
  return out.str();
}

TEST(ScheduleReplayTest, ReplayingAScheduleStringReproducesTheTraceHash) {
  for (Strategy strategy : kStrategies) {
    for (uint64_t seed = 0; seed < 30; ++seed) {
      const Outcome original = RunWorkload(seed, strategy);
      ASSERT_FALSE(original.schedule.steps.empty());
      // Through the string, as a user would paste it.
      const std::string text = original.schedule.ToString();
      absl::StatusOr<Schedule> parsed = Schedule::Parse(text);
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      ASSERT_EQ(*parsed, original.schedule) << text;
      const Outcome replayed = Replay(*parsed);
      EXPECT_EQ(replayed.hash, original.hash) << StrategyName(strategy) << " " << text;
      EXPECT_EQ(replayed.log, original.log) << StrategyName(strategy) << " " << text;
      EXPECT_EQ(replayed.schedule, original.schedule) << StrategyName(strategy);
    }
  }
}

TEST(ScheduleReplayTest, TheExplicitPrefixAloneReplaysTheSameRun) {
  for (uint64_t seed = 0; seed < 30; ++seed) {
    const Outcome original = RunWorkload(seed, Strategy::kRandom);
    const Outcome replayed = Replay(original.schedule);
    ASSERT_TRUE(replayed.stats.has_value());
    Schedule prefix = original.schedule;
    prefix.steps.resize(replayed.stats->explicit_steps);
    EXPECT_LT(prefix.steps.size(), original.schedule.steps.size()) << "seed " << seed;
    const Outcome from_prefix = Replay(prefix);
    EXPECT_EQ(from_prefix.hash, original.hash) << "seed " << seed << ": " << prefix.ToString();
    EXPECT_EQ(from_prefix.stats->preemptions, replayed.stats->preemptions);
  }
}

TEST(ScheduleReplayTest, ADifferentScheduleGivesADifferentRunWithTheSameData) {
  const Outcome original = RunWorkload(4, Strategy::kRandom);
  // The replay default everywhere: no preemption at all.
  const Outcome calm = Replay(Schedule{.seed = 4});
  EXPECT_NE(calm.hash, original.hash);
  EXPECT_EQ(calm.stats->preemptions, 0u);
  EXPECT_EQ(calm.stats->explicit_steps, 0u);
}

TEST(ScheduleStringTest, RoundTripsAndRejectsMalformedText) {
  const Schedule schedule{.seed = 17,
                          .steps = {TaskId(1), TaskId(2), TaskId(2), TaskId(2), TaskId(12)}};
  EXPECT_EQ(schedule.ToString(), "17:1.2x3.12");
  EXPECT_EQ(*Schedule::Parse("17:1.2x3.12"), schedule);
  EXPECT_EQ(*Schedule::Parse("5:"), Schedule{.seed = 5});
  for (const char* bad : {"", "17", "x:1", "17:0", "17:1..2", "17:1x0", "17:1x", "17:a", "-1:1"}) {
    EXPECT_FALSE(Schedule::Parse(bad).ok()) << bad;
  }
}

// Run only as the child of the test below.
TEST(CrossProcessChild, PrintHashes) {
  if (std::getenv("CROSS_PROCESS_CHILD") == nullptr) GTEST_SKIP() << "child mode only";
  std::printf("%s", HashLines().c_str());
}

TEST(DeterminismTest, SeparateProcessesGiveTheSameTraces) {
  const std::string expected = HashLines();
  for (int child = 0; child < 2; ++child) {
    testing_support::ChildResult r =
        testing_support::RunSelf("CrossProcessChild.PrintHashes", {{"CROSS_PROCESS_CHILD", "1"}});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::string printed;
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("trace-hash ", 0) == 0) printed += line + "\n";
    }
    EXPECT_EQ(printed, expected) << "child " << child;
  }
}

TestSchedulerConfig Throwing(std::string* report, TestSchedulerConfig config = {}) {
  config.on_failure = [report](const std::string& r) {
    *report = r;
    throw std::runtime_error("test scheduler failure");
  };
  return config;
}

TEST(NonDeterminismTest, WakeFromAForeignThreadIsReported) {
  std::string report;
  auto scheduler = TestScheduler::Create(Throwing(&report, {.seed = 5}));
  Executor executor(scheduler);
  auto [tx, rx] = MakeChannel<int>();
  Task<int> receiver = executor.Spawn([rx = std::move(rx)]() mutable -> Future<int> {
    co_return (co_await rx.Recv()).value_or(-1);
  });
  scheduler->RunUntilParked();
  std::thread sender([tx = std::move(tx)] { (void)tx.Send(1); });
  sender.join();
  EXPECT_THROW(scheduler->RunUntilParked(), std::runtime_error);
  EXPECT_THAT(report, HasSubstr("Non-determinism"));
  EXPECT_THAT(report, HasSubstr(absl::StrCat("task#", receiver.id().value(), " spawned at ")));
  EXPECT_THAT(report,
              HasSubstr(absl::StrCat("determinism_test.cc:", receiver.metadata().location.line())));
  EXPECT_THAT(report, HasSubstr("seed: 5"));
}

TEST(NonDeterminismTest, SpawnFromAForeignThreadIsReported) {
  std::string report;
  auto scheduler = TestScheduler::Create(Throwing(&report));
  Executor executor(scheduler);
  std::thread other([&] { executor.Spawn([]() -> Future<void> { co_return; }).Detach(); });
  other.join();
  EXPECT_THROW(scheduler->CheckFailures(), std::runtime_error);
  EXPECT_THAT(report, HasSubstr("was woken from a thread other than the one driving"));
}

TEST(NonDeterminismTest, ForeignWakesAreAcceptedWhenParkingIsAllowed) {
  auto scheduler = TestScheduler::Create({.allow_parking = true});
  Executor executor(scheduler);
  auto [tx, rx] = MakeChannel<int>();
  Task<int> receiver = executor.Spawn([rx = std::move(rx)]() mutable -> Future<int> {
    co_return (co_await rx.Recv()).value_or(-1);
  });
  scheduler->RunUntilParked();
  std::thread sender([tx = std::move(tx)] { (void)tx.Send(9); });
  sender.join();
  scheduler->RunUntilParked();
  ASSERT_TRUE(receiver.IsReady());
  EXPECT_EQ(Block(scheduler, std::move(receiver)), 9);
}

TEST(WallClockTest, StartsAtAFixedUtcDateAndFollowsTheFakeClock) {
  auto scheduler = TestScheduler::Create();
  EXPECT_EQ(absl::FormatTime(absl::RFC3339_full, scheduler->UtcNow(), absl::UTCTimeZone()),
            "2025-01-01T00:00:00+00:00");
  scheduler->AdvanceClock(std::chrono::hours(25) + std::chrono::milliseconds(5));
  EXPECT_EQ(scheduler->UtcNow() - TestScheduler::WallClockStart(),
            absl::Hours(25) + absl::Milliseconds(5));
}

TEST(RngTest, SharedAndSeeded) {
  auto draws = [](uint64_t seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    SharedRng rng = scheduler->Rng();
    std::vector<uint64_t> out;
    for (int i = 0; i < 5; ++i) out.push_back(rng.Below(1000));
    out.push_back(scheduler->NextRandom());  // the same generator (the data stream)
    return out;
  };
  EXPECT_EQ(draws(3), draws(3));
  EXPECT_NE(draws(3), draws(4));
  SharedRng rng = TestScheduler::Create({.seed = 3})->Rng();
  std::vector<int> v = {1, 2, 3, 4, 5, 6, 7, 8};
  rng.Shuffle(v.begin(), v.end());
  EXPECT_EQ(std::multiset<int>(v.begin(), v.end()), (std::multiset<int>{1, 2, 3, 4, 5, 6, 7, 8}));
}

}  // namespace
}  // namespace scheduler
