// SearchBox: an example UI model built on GPUI's executors.
//
// A search field that searches as you type, the way editor pickers do:
//   * keystrokes are debounced on the foreground: each one restarts a timer
//     (50 ms by default) and only when it fires does a search start;
//   * Enter (`Submit`) searches at once;
//   * each search runs in a background task labeled `SearchLabel()`, awaited
//     by a foreground task that shows the results;
//   * starting a search cancels the previous one by dropping its Task (which
//     cancels the background work too), and results are shown only if they
//     belong to the latest search: a late answer for an old query can never
//     replace a newer one.
//
// The stale-result bug (`SearchBoxOptions::stale_result_bug`) removes both
// guards: earlier searches keep running and whichever answer arrives last is
// shown, even if it is for an older query. It exists so the tests can show the
// TestScheduler catching it (tests/search_box_test.cc).
//
// Threading: a SearchBox lives on the main thread; every method must be called
// there, and never from inside the callback it is running. Destroying it
// cancels its tasks. The backend's futures run on background threads.
#ifndef GPUI_INTEGRATION_EXAMPLES_SEARCH_BOX_H_
#define GPUI_INTEGRATION_EXAMPLES_SEARCH_BOX_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gpui_integration/foreground_executor.h"
#include "scheduler/duration.h"
#include "scheduler/future.h"
#include "scheduler/ids.h"
#include "scheduler/task.h"

namespace gpui_example {

using SearchResults = std::vector<std::string>;

// Makes the future that answers one query. Called on the main thread; the
// future it returns runs on a background thread, so it must not refer to
// main-thread state.
using SearchBackend = std::function<scheduler::Future<SearchResults>(std::string query)>;

// Words of `corpus` starting with the query, in corpus order, at most `limit`.
// Scans in chunks and yields between them, so long scans share the workers and
// a cancelled search stops early.
SearchBackend PrefixSearch(std::shared_ptr<const std::vector<std::string>> corpus, size_t limit);

struct SearchBoxOptions {
  scheduler::Duration debounce = std::chrono::milliseconds(50);
  // Plants the stale-result bug (see the file comment). Never set it in real use.
  bool stale_result_bug = false;
};

class SearchBox {
 public:
  // The label of every background search task (for `Deprioritize` in tests).
  static scheduler::TaskLabel SearchLabel();

  SearchBox(gpui::ForegroundExecutor foreground, SearchBackend backend,
            SearchBoxOptions options = {});
  SearchBox(const SearchBox&) = delete;
  SearchBox& operator=(const SearchBox&) = delete;

  // The field now contains `text` (the keystroke already applied). Restarts
  // the debounce timer.
  void OnKeystroke(std::string text);
  // Enter: searches the current text now, skipping the debounce.
  void Submit();

  // Called on the main thread each time results are shown.
  void SetOnResultsShown(std::function<void()> callback) {
    on_results_shown_ = std::move(callback);
  }

  // The text in the field.
  const std::string& query() const { return query_; }
  // The query whose results are shown, and those results.
  const std::string& shown_query() const { return shown_query_; }
  const SearchResults& results() const { return results_; }
  // Searches started so far (debounced or submitted).
  int searches_started() const { return static_cast<int>(latest_search_); }

 private:
  scheduler::Future<void> Debounce();
  void StartSearch();
  scheduler::Future<void> Search(uint64_t search, std::string query);
  void Show(std::string query, SearchResults results);

  const gpui::ForegroundExecutor foreground_;
  const SearchBackend backend_;
  const SearchBoxOptions options_;
  std::function<void()> on_results_shown_;

  std::string query_;
  std::string shown_query_;
  SearchResults results_;
  uint64_t latest_search_ = 0;  // number of the latest search started

  // Declared last: destroyed (cancelled) first, while the state above is alive.
  std::vector<scheduler::Task<void>> abandoned_;  // bug mode: searches left running
  scheduler::Task<void> search_;
  scheduler::Task<void> debounce_;
};

}  // namespace gpui_example

#endif  // GPUI_INTEGRATION_EXAMPLES_SEARCH_BOX_H_
