// The SearchBox example under the TestScheduler: debouncing on the fake
// clock, and the stale-result race, which the buggy box loses on some seeds
// and the correct box never loses.
#include "gpui_integration/examples/search_box.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gpui_integration/background_executor.h"
#include "gpui_integration/foreground_executor.h"
#include "gtest/gtest.h"
#include "testing/harness.h"
#include "testing/test_scheduler.h"

namespace gpui_example {
namespace {

using scheduler::Future;
using scheduler::Task;
using scheduler::TestScheduler;
using std::chrono::milliseconds;

constexpr size_t kLimit = 1000;

std::shared_ptr<const std::vector<std::string>> Corpus() {
  // Big enough that a scan takes several steps (it yields every 256 words).
  static const auto* corpus = [] {
    auto* words = new std::vector<std::string>;
    const char* stems[] = {"sea", "se", "s", "t", "seal", "search"};
    for (int i = 0; i < 1200; ++i) words->push_back(stems[i % 6] + std::to_string(i));
    return words;
  }();
  return std::shared_ptr<const std::vector<std::string>>(corpus, [](auto*) {});
}

SearchResults Expected(const std::string& query) {
  SearchResults out;
  for (const std::string& w : *Corpus()) {
    if (w.starts_with(query) && out.size() < kLimit) out.push_back(w);
  }
  return out;
}

// Records what the box shows, and whether it ever went back to an older query.
struct ShownLog {
  std::vector<std::string> queries;
  // Index in the typing order of each query typed so far.
  std::vector<std::string> typed;
  bool went_backwards = false;

  void Typed(const std::string& q) { typed.push_back(q); }
  void Shown(const std::string& q) {
    auto age = [&](const std::string& x) {
      return std::find(typed.rbegin(), typed.rend(), x) - typed.rbegin();  // 0 = newest
    };
    if (!queries.empty() && age(q) > age(queries.back())) went_backwards = true;
    queries.push_back(q);
  }
};

TEST(SearchBoxTest, DebounceCollapsesABurstOfKeystrokesIntoOneSearch) {
  auto scheduler = TestScheduler::Create({.seed = 1});
  gpui::ForegroundExecutor foreground(scheduler);
  SearchBox box(foreground, PrefixSearch(Corpus(), kLimit));
  for (const char* text : {"s", "se", "sea"}) {
    box.OnKeystroke(text);
    foreground.RunUntilParked();
    foreground.AdvanceClock(milliseconds(20));  // typing faster than the debounce
  }
  EXPECT_EQ(box.searches_started(), 0);
  foreground.AdvanceClock(milliseconds(29));  // 49 ms since the last keystroke
  EXPECT_EQ(box.searches_started(), 0);
  foreground.AdvanceClock(milliseconds(1));
  EXPECT_EQ(box.searches_started(), 1);
  foreground.RunUntilParked();
  EXPECT_EQ(box.shown_query(), "sea");
  EXPECT_EQ(box.results(), Expected("sea"));
}

TEST(SearchBoxTest, SubmitSkipsTheDebounce) {
  auto scheduler = TestScheduler::Create({.seed = 2});
  gpui::ForegroundExecutor foreground(scheduler);
  SearchBox box(foreground, PrefixSearch(Corpus(), kLimit));
  box.OnKeystroke("t");
  box.Submit();
  foreground.RunUntilParked();
  EXPECT_EQ(box.shown_query(), "t");
  EXPECT_EQ(box.results(), Expected("t"));
  foreground.AdvanceClock(milliseconds(100));
  EXPECT_EQ(box.searches_started(), 1) << "the pending debounce was cancelled";
}

// --- The race through the debounce: a slow answer for an old query. ---------
//
// The backend's latency is drawn from the seed (0-150 ms, a remote index), so
// a search can still be in flight when the next debounce fires and a newer
// search starts. The test types three queries 60 ms apart, advancing the fake
// clock through each debounce, then lets every search finish.

// Waits a seeded latency, then runs `work`. A free coroutine: it owns its
// arguments (see the lambda pitfall in future.h).
Future<SearchResults> AfterLatency(gpui::BackgroundExecutor background,
                                   Future<SearchResults> work) {
  co_await background.Timer(milliseconds(background.Rng()->Below(151)));
  co_return co_await std::move(work);
}

SearchBackend SlowPrefixSearch(gpui::BackgroundExecutor background) {
  return [background, inner = PrefixSearch(Corpus(), kLimit)](std::string query) {
    return AfterLatency(background, inner(std::move(query)));
  };
}

// Returns whether the box ended up (or was ever) showing a stale query.
bool TypeThroughTheDebounce(const std::shared_ptr<TestScheduler>& scheduler, bool bug) {
  gpui::ForegroundExecutor foreground(scheduler);
  SearchBox box(foreground, SlowPrefixSearch(foreground.background()), {.stale_result_bug = bug});
  ShownLog log;
  box.SetOnResultsShown([&] { log.Shown(box.shown_query()); });
  for (const char* text : {"s", "se", "sea"}) {
    box.OnKeystroke(text);
    log.Typed(text);
    foreground.RunUntilParked();
    foreground.AdvanceClock(milliseconds(60));  // through the 50 ms debounce
  }
  foreground.AdvanceClock(milliseconds(1000));
  EXPECT_EQ(box.searches_started(), 3);
  const bool stale = box.shown_query() != "sea" || box.results() != Expected("sea");
  return stale || log.went_backwards;
}

SCHEDULER_TEST_WITH(SearchBoxTest, CorrectBoxNeverShowsAStaleQueryThroughTheDebounce,
                    .iterations = 100) {
  EXPECT_FALSE(TypeThroughTheDebounce(scheduler, /*bug=*/false));
}

TEST(SearchBoxTest, BuggyBoxShowsAStaleQueryOnSomeSeedsThroughTheDebounce) {
  int caught = 0;
  uint64_t first = 0;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    auto scheduler = TestScheduler::Create({.seed = seed});
    if (TypeThroughTheDebounce(scheduler, /*bug=*/true) && caught++ == 0) first = seed;
    scheduler->Shutdown();
  }
  EXPECT_GT(caught, 0) << "the TestScheduler should expose the planted bug on some seed";
  EXPECT_LT(caught, 100) << "on most seeds the answers arrive in order";
  std::printf("stale results through the debounce: %d of 100 seeds (first: seed %llu)\n", caught,
              static_cast<unsigned long long>(first));
}

// --- The race forced by deprioritizing the search label. ---------------------
//
// A simulated user presses Enter after each of three queries, with a seeded
// number of event-loop turns between them (SimulateRandomDelay). Searches run
// with no latency at all. Without help, an early search usually finishes
// before the next query is submitted, and there is no race. Deprioritizing
// SearchLabel() keeps every search waiting while the user is still busy, so
// all three are in flight together and the seed decides which finishes last.

Future<void> TypeAndSubmit(gpui::ForegroundExecutor foreground, SearchBox* box, ShownLog* log) {
  for (const char* text : {"s", "se", "sea"}) {
    box->OnKeystroke(text);
    log->Typed(text);
    box->Submit();
    co_await foreground.SimulateRandomDelay();
  }
}

bool SubmitRace(const std::shared_ptr<TestScheduler>& scheduler, bool bug, bool deprioritize) {
  gpui::ForegroundExecutor foreground(scheduler);
  if (deprioritize) foreground.Deprioritize(SearchBox::SearchLabel());
  SearchBox box(foreground, PrefixSearch(Corpus(), kLimit), {.stale_result_bug = bug});
  ShownLog log;
  box.SetOnResultsShown([&] { log.Shown(box.shown_query()); });
  Task<void> user = foreground.Spawn(TypeAndSubmit(foreground, &box, &log));
  foreground.RunUntilParked();
  EXPECT_TRUE(user.IsReady());
  const bool stale = box.shown_query() != "sea" || box.results() != Expected("sea");
  return stale || log.went_backwards;
}

SCHEDULER_TEST_WITH(SearchBoxTest, CorrectBoxNeverShowsAStaleQueryWhenSearchesAreDeprioritized,
                    .iterations = 100) {
  EXPECT_FALSE(SubmitRace(scheduler, /*bug=*/false, /*deprioritize=*/true));
}

SCHEDULER_TEST_WITH(SearchBoxTest, CorrectBoxNeverShowsAStaleQueryUnderPlainRandomOrder,
                    .iterations = 100) {
  EXPECT_FALSE(SubmitRace(scheduler, /*bug=*/false, /*deprioritize=*/false));
}

TEST(SearchBoxTest, DeprioritizingSearchesForcesTheRaceThatCatchesTheBuggyBox) {
  auto count_stale = [](bool deprioritize) {
    int stale = 0;
    for (uint64_t seed = 0; seed < 100; ++seed) {
      auto scheduler = TestScheduler::Create({.seed = seed});
      stale += SubmitRace(scheduler, /*bug=*/true, deprioritize);
      scheduler->Shutdown();
    }
    return stale;
  };
  const int with = count_stale(true);
  const int without = count_stale(false);
  EXPECT_GT(with, 0);
  EXPECT_GT(with, without) << "deprioritizing should expose the bug on more seeds";
  std::printf("stale results after Submit: %d of 100 seeds deprioritized, %d of 100 not\n", with,
              without);
}

}  // namespace
}  // namespace gpui_example
