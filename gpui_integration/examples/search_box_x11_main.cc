// search_box_x11_main: the SearchBox example in an X11 window, on the real
// platform dispatcher.
//
// Type into the window: each keystroke restarts the debounce, the results of
// the latest search are drawn under the field, Enter searches at once, Escape
// (or closing the window) quits. The X connection is an event source of the
// Linux main loop (platforms/linux/fd_source.h): the main thread sleeps in
// epoll until X events or foreground work arrive and handles both, the
// searches run on the background threads. Linux only.
//
// For tests and scripts it also reports on stdout, one line each:
//   ready window=<id>            the window is drawn and has the keyboard focus
//   typed "<text>"               the field now holds <text>
//   drawn "<query>": <words...>  the results for <query> are on screen
//   closed                       the window was closed; the program exits 0
//
//   bazel run //gpui_integration/examples:search_box_x11_main   # on $DISPLAY
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gflags/gflags.h"
#include "gpui_integration/app.h"
#include "gpui_integration/background_executor.h"
#include "gpui_integration/examples/search_box.h"
#include "gpui_integration/examples/search_box_io.h"
#include "gpui_integration/examples/x11_search_window.h"
#include "platforms/linux/fd_source.h"
#include "scheduler/future.h"
#include "scheduler/task.h"

DEFINE_string(display, "", "X display to open (default: $DISPLAY).");
DEFINE_string(words, "", "File with one word per line to search (default: a built-in list).");
DEFINE_int32(debounce_ms, 50, "Keystroke debounce.");
DEFINE_int32(max_results, 8, "Results shown per search.");
DEFINE_int32(latency_ms, 0,
             "Makes every search slower the shorter its query: it waits latency_ms for each "
             "character short of 8 before scanning. With typing faster than that, overlapping "
             "searches finish newest first, which is when a stale result could be shown.");
DEFINE_bool(stale_result_bug, false, "Run the buggy SearchBox (see search_box.h).");

namespace gpui_example {
namespace {

void Report(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

scheduler::Future<SearchResults> AfterDelay(gpui::BackgroundExecutor background,
                                            scheduler::Duration delay,
                                            scheduler::Future<SearchResults> search) {
  co_await background.Timer(delay);
  co_return co_await std::move(search);
}

// `backend`, answering a query of n characters only after (8 - n) * latency.
SearchBackend WithLatency(SearchBackend backend, gpui::BackgroundExecutor background,
                          scheduler::Duration latency) {
  return [backend = std::move(backend), background = std::move(background),
          latency](std::string query) {
    const auto missing = static_cast<int>(8 - std::min<size_t>(query.size(), 8));
    return AfterDelay(background, latency * missing, backend(std::move(query)));
  };
}

int Main() {
  gpui::App app;
  auto corpus = std::make_shared<const std::vector<std::string>>(LoadWords(FLAGS_words));
  SearchBackend backend = PrefixSearch(corpus, FLAGS_max_results);
  if (FLAGS_latency_ms > 0) {
    backend = WithLatency(std::move(backend), app.background(),
                          std::chrono::milliseconds(FLAGS_latency_ms));
  }
  SearchBox box(app.foreground(), std::move(backend),
                {.debounce = std::chrono::milliseconds(FLAGS_debounce_ms),
                 .stale_result_bug = FLAGS_stale_result_bug});

  uint64_t window_id = 0;
  absl::StatusOr<std::unique_ptr<X11SearchWindow>> opened = X11SearchWindow::Open(
      FLAGS_display.empty() ? nullptr : FLAGS_display.c_str(), "Search box",
      {.on_edit =
           [&](const std::string& text) {
             Report("typed \"" + text + "\"");
             box.OnKeystroke(text);
           },
       .on_submit = [&] { box.Submit(); },
       .on_close = [&] { app.Quit(); },
       .on_ready = [&] { Report("ready window=" + std::to_string(window_id)); }});
  if (!opened.ok()) {
    std::fprintf(stderr, "search_box_x11_main: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  X11SearchWindow& window = **opened;
  window_id = window.window_id();

  box.SetOnResultsShown([&] {
    window.ShowResults(box.shown_query(), box.results());
    Report(ResultsLine("drawn", box.shown_query(), box.results()));
  });
  // The X connection as an event source of the main loop: whenever its socket
  // is readable, the main thread handles the events between two batches of
  // foreground work. (An error or hang-up means the X server is gone: Xlib's
  // I/O error handler then ends the program inside DispatchEvents.)
  scheduler::FdWatch watch =
      scheduler::WatchFd(app.dispatcher(), window.fd(), scheduler::FdEvents::kReadable,
                         [&](scheduler::FdEvents) { window.DispatchEvents(); });
  window.DispatchEvents();  // what Open's round trips already queued
  app.Run();
  Report("closed");
  return 0;
}

}  // namespace
}  // namespace gpui_example

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  return gpui_example::Main();
}
