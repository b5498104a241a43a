#include "gpui_integration/examples/search_box.h"

#include <utility>

#include "scheduler/yield.h"

namespace gpui_example {
namespace {

constexpr size_t kScanChunk = 256;

scheduler::Future<SearchResults> ScanForPrefix(
    std::shared_ptr<const std::vector<std::string>> corpus, size_t limit, std::string prefix) {
  SearchResults matches;
  for (size_t i = 0; i < corpus->size() && matches.size() < limit; ++i) {
    if (i > 0 && i % kScanChunk == 0) co_await scheduler::Yield();
    const std::string& word = (*corpus)[i];
    if (word.starts_with(prefix)) matches.push_back(word);
  }
  co_return matches;
}

}  // namespace

SearchBackend PrefixSearch(std::shared_ptr<const std::vector<std::string>> corpus, size_t limit) {
  // Not a coroutine lambda: the future gets its own copies of the arguments,
  // so it does not depend on this lambda object staying alive.
  return [corpus = std::move(corpus), limit](std::string query) {
    return ScanForPrefix(corpus, limit, std::move(query));
  };
}

scheduler::TaskLabel SearchBox::SearchLabel() {
  static const scheduler::TaskLabel label = scheduler::TaskLabel::New();
  return label;
}

SearchBox::SearchBox(gpui::ForegroundExecutor foreground, SearchBackend backend,
                     SearchBoxOptions options)
    : foreground_(std::move(foreground)), backend_(std::move(backend)), options_(options) {}

void SearchBox::OnKeystroke(std::string text) {
  query_ = std::move(text);
  // Replacing the Task cancels the pending debounce: the timer restarts.
  debounce_ = foreground_.Spawn(Debounce());
}

void SearchBox::Submit() {
  debounce_ = scheduler::Task<void>();
  StartSearch();
}

scheduler::Future<void> SearchBox::Debounce() {
  co_await foreground_.Timer(options_.debounce);
  StartSearch();
}

void SearchBox::StartSearch() {
  const uint64_t search = ++latest_search_;
  if (options_.stale_result_bug && search_.valid()) {
    abandoned_.push_back(std::move(search_));  // BUG: the old search keeps running
  }
  // Replacing the Task cancels the previous search, foreground and background.
  search_ = foreground_.Spawn(Search(search, query_));
}

scheduler::Future<void> SearchBox::Search(uint64_t search, std::string query) {
  // Destroying this frame (on cancellation) drops `work`, which cancels the
  // background search as well.
  scheduler::Task<SearchResults> work =
      foreground_.background().SpawnLabeled(SearchLabel(), backend_(query));
  SearchResults results = co_await std::move(work);
  // Cancellation already stops older searches before they get here; the
  // check keeps stale answers out even if some path forgets to cancel.
  if (!options_.stale_result_bug && search != latest_search_) co_return;  // BUG: no check
  Show(std::move(query), std::move(results));
}

void SearchBox::Show(std::string query, SearchResults results) {
  shown_query_ = std::move(query);
  results_ = std::move(results);
  if (on_results_shown_) on_results_shown_();
}

}  // namespace gpui_example
