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
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"
#include "testing/trace_export.h"

namespace scheduler {
namespace {

using ::testing::HasSubstr;

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

TEST(TraceExportTest, SvgAndHtmlTimelines) {
  auto scheduler = SmallRun({.seed = 6, .record_trace = true});
  const std::string svg = ToSvgTimeline(scheduler->trace(), {.seed = 6});
  EXPECT_TRUE(absl::StartsWith(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_TRUE(absl::EndsWith(svg, "</svg>\n"));
  EXPECT_THAT(svg, HasSubstr("<rect"));
  EXPECT_THAT(svg, HasSubstr("<polygon"));  // the timer
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
