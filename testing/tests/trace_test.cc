// The execution trace: what it records, how divergence is located, and the
// Chrome trace-event JSON / SVG / HTML exports.
#include "testing/trace.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "absl/strings/match.h"
#include "executor/executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/block.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"
#include "testing/trace_export.h"

namespace scheduler {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::shared_ptr<TestScheduler> SmallRun(TestSchedulerConfig config) {
  auto scheduler = TestScheduler::Create(std::move(config));
  Executor background(scheduler);
  ForegroundExecutor foreground(scheduler);
  Spawn(scheduler, [background]() -> Future<void> {
    co_await Yield();
    co_await background.Timer(std::chrono::milliseconds(5));
  }).Detach();
  foreground.Spawn([]() -> Future<void> { co_await Yield(); }).Detach();
  scheduler->RunUntilParked();
  scheduler->AdvanceClock(std::chrono::milliseconds(10));
  return scheduler;
}

TEST(TraceTest, RecordsStepsAndTimerFires) {
  auto scheduler = SmallRun({.seed = 1, .record_trace = true});
  const ExecutionTrace trace = scheduler->trace();
  int steps = 0, timers = 0;
  for (const TraceEvent& e : trace.events()) {
    if (e.kind == TraceEvent::Kind::kStep) {
      ++steps;
      EXPECT_EQ(e.step, static_cast<uint64_t>(steps)) << "steps are numbered from 1";
    } else {
      ++timers;
      EXPECT_EQ(e.clock, std::chrono::milliseconds(5));
    }
  }
  EXPECT_EQ(static_cast<uint64_t>(steps), scheduler->steps());
  EXPECT_EQ(timers, 1);
  EXPECT_EQ(trace.event_count(), trace.events().size());
}

std::vector<TraceEvent> DrivenSteps(const ExecutionTrace& trace) {
  std::vector<TraceEvent> driven;
  for (const TraceEvent& e : trace.events()) {
    if (e.kind == TraceEvent::Kind::kDrivenStep) driven.push_back(e);
  }
  return driven;
}

Future<int> YieldTwiceThenSeven() {
  co_await Yield();
  co_await Yield();
  co_return 7;
}

// A background task yields while the test blocks on a future that yields too.
// `block_line` gets the line of the Block call (its default source_location).
std::shared_ptr<TestScheduler> BlockingRun(TestSchedulerConfig config, int* block_line = nullptr) {
  auto scheduler = TestScheduler::Create(std::move(config));
  Spawn(scheduler, []() -> Future<void> {
    for (int i = 0; i < 3; ++i) co_await Yield();
  }).Detach();
  const int line = __LINE__, value = Block(scheduler, YieldTwiceThenSeven());
  EXPECT_EQ(value, 7);
  if (block_line != nullptr) *block_line = line;
  return scheduler;
}

TEST(TraceTest, RecordsTheBlockedFuturesSteps) {
  int block_line = 0;
  auto scheduler = BlockingRun({.seed = 11, .record_trace = true}, &block_line);
  const ExecutionTrace trace = scheduler->trace();
  const std::vector<TraceEvent> driven = DrivenSteps(trace);
  ASSERT_EQ(driven.size(), 3u) << "one event per step of the blocked future: start + 2 yields";
  for (const TraceEvent& e : driven) {
    EXPECT_EQ(e.task, driven[0].task) << "all steps belong to the one blocked future";
    EXPECT_EQ(e.location.line(), static_cast<uint_least32_t>(block_line));
    EXPECT_THAT(std::string(e.location.file_name()), HasSubstr("trace_test.cc"));
  }
  EXPECT_THAT(DescribeEvent(driven[0]), HasSubstr("blocked future"));
  // Recorded whether or not events are kept (so the hash covers them), and the
  // same seed gives the same hash.
  auto unrecorded = BlockingRun({.seed = 11});
  EXPECT_EQ(unrecorded->trace().event_count(), trace.events().size());
  EXPECT_EQ(unrecorded->trace_hash(), scheduler->trace_hash());
}

TEST(TraceTest, RecordsTheTimedOutFuturesStepsAfterTheHandover) {
  auto scheduler = TestScheduler::Create(
      {.seed = 12, .block_on_ticks_min = 0, .block_on_ticks_max = 0, .record_trace = true});
  BlockResult<int> result = BlockWithTimeout(scheduler, Duration(1), [scheduler]() -> Future<int> {
    co_await Timer(scheduler, std::chrono::seconds(1));
    co_return 9;
  });
  ASSERT_TRUE(result.timed_out());
  ASSERT_EQ(DrivenSteps(scheduler->trace()).size(), 1u) << "the step before the timeout";
  Task<int> resumed = Spawn(scheduler, std::move(result).TakeUnfinished());
  scheduler->AdvanceClock(std::chrono::seconds(1));
  ASSERT_TRUE(resumed.IsReady());
  const std::vector<TraceEvent> driven = DrivenSteps(scheduler->trace());
  ASSERT_EQ(driven.size(), 2u) << "the step after the timer, run by the awaiting task";
  EXPECT_EQ(driven[1].task, driven[0].task);
  EXPECT_EQ(driven[1].clock, std::chrono::seconds(1));
}

TEST(TraceTest, HashIsKeptWithoutEvents) {
  auto with = SmallRun({.seed = 2, .record_trace = true});
  auto without = SmallRun({.seed = 2});
  EXPECT_EQ(with->trace_hash(), without->trace_hash());
  EXPECT_TRUE(without->trace().events().empty());
  EXPECT_NE(SmallRun({.seed = 3})->trace_hash(), 0u);
}

TEST(TraceTest, FirstDivergenceFindsTheFirstDifferentEvent) {
  const ExecutionTrace a = SmallRun({.seed = 4, .record_trace = true})->trace();
  std::vector<TraceEvent> b = a.events();
  EXPECT_EQ(FirstDivergence(a.events(), b), std::nullopt);
  b[2].task = TaskId(999);
  EXPECT_EQ(FirstDivergence(a.events(), b), 2u);
  b.resize(2);
  EXPECT_EQ(FirstDivergence(a.events(), b), 2u) << "a prefix diverges where it ends";
}

TEST(TraceExportTest, ChromeJsonHasTheEvents) {
  auto scheduler = SmallRun({.seed = 5, .record_trace = true});
  const std::string json =
      ToChromeTraceJson(scheduler->trace(), {.title = "t", .seed = 5, .strategy = "random"});
  EXPECT_TRUE(absl::StartsWith(json, "{\"displayTimeUnit\""));
  EXPECT_THAT(json, HasSubstr("\"traceEvents\":["));
  EXPECT_THAT(json, HasSubstr("\"ph\":\"X\""));
  EXPECT_THAT(json, HasSubstr("\"name\":\"timer fired\""));
  EXPECT_THAT(json, HasSubstr("foreground session 1"));
  EXPECT_THAT(json, HasSubstr("trace_test.cc"));
  // Balanced brackets outside strings: a cheap structural check.
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') ++i;
      if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    ASSERT_GE(depth, 0);
  }
  EXPECT_EQ(depth, 0);
  EXPECT_FALSE(in_string);
}

TEST(TraceExportTest, BlockedFutureStepsAreShown) {
  auto scheduler = TestScheduler::Create({.seed = 13, .record_trace = true});
  Block(scheduler, []() -> Future<void> { co_await Yield(); });
  const ExecutionTrace trace = scheduler->trace();
  const std::string json = ToChromeTraceJson(trace, {.seed = 13});
  EXPECT_THAT(json, HasSubstr("\"name\":\"blocked future step\""));
  EXPECT_THAT(json, HasSubstr("\"blocked_at\":\""));
  const std::string svg = ToSvgTimeline(trace, {.seed = 13});
  EXPECT_THAT(svg, HasSubstr("<circle"));
  EXPECT_THAT(svg, HasSubstr("ran a step after step 0"));
}

TEST(TraceExportTest, SvgAndHtmlTimelines) {
  auto scheduler = SmallRun({.seed = 6, .record_trace = true});
  const std::string svg = ToSvgTimeline(scheduler->trace(), {.seed = 6});
  EXPECT_TRUE(absl::StartsWith(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_TRUE(absl::EndsWith(svg, "</svg>\n"));
  EXPECT_THAT(svg, HasSubstr("<rect"));
  EXPECT_THAT(svg, HasSubstr("<polygon"));      // the timer
  EXPECT_THAT(svg, Not(HasSubstr("<circle")));  // no Block in this run
  EXPECT_THAT(svg, HasSubstr("seed 6"));
  const std::string html = ToHtmlTimeline(scheduler->trace(), {.seed = 6});
  EXPECT_TRUE(absl::StartsWith(html, "<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr(svg));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(TraceExportTest, TraceOutWritesTheFilesAtShutdown) {
  const std::string prefix = std::string(std::getenv("TEST_TMPDIR")) + "/traces/small";
  {
    auto scheduler = SmallRun({.seed = 7, .trace_out = prefix});
    scheduler->Shutdown();
  }
  for (const char* ext : {".trace.json", ".svg", ".html"}) {
    EXPECT_TRUE(std::filesystem::exists(prefix + ext)) << ext;
  }
  EXPECT_THAT(ReadFile(prefix + ".svg"), HasSubstr("seed 7"));
}

TEST(TraceExportTest, WritingNeedsRecordedEvents) {
  auto scheduler = SmallRun({.seed = 8});
  EXPECT_FALSE(scheduler->WriteTrace(std::string(std::getenv("TEST_TMPDIR")) + "/x").ok());
}

}  // namespace
}  // namespace scheduler
