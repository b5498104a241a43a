// search_box_main: the SearchBox example on the real platform dispatcher.
//
// Reads the search field's contents from stdin, one line per keystroke (the
// whole text after it, e.g. "s", "se", "sea"), and prints the results each
// time the box shows some:
//   results for "se": sea seal search second
// At end of input it presses Enter, prints the final results as
//   final results for "sea": sea seal search
// and exits. A line "#pause <ms>" pauses the simulated typist, so a pause
// longer than the debounce lets a search run mid-typing.
//
//   printf 's\nse\n#pause 200\nsea\n' | search_box_main [--words=FILE]
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "gflags/gflags.h"
#include "gpui_integration/app.h"
#include "gpui_integration/examples/search_box.h"
#include "gpui_integration/examples/search_box_io.h"
#include "scheduler/channel.h"

DEFINE_string(words, "", "File with one word per line to search (default: a built-in list).");
DEFINE_int32(debounce_ms, 50, "Keystroke debounce.");
DEFINE_int32(max_results, 8, "Results shown per search.");
DEFINE_bool(stale_result_bug, false, "Run the buggy SearchBox (see search_box.h).");

namespace gpui_example {
namespace {

void Print(const char* prefix, const SearchBox& box) {
  std::printf("%s\n", ResultsLine(prefix, box.shown_query(), box.results()).c_str());
  std::fflush(stdout);
}

// Feeds keystrokes from the reader thread into the box, on the main thread.
scheduler::Future<void> Type(SearchBox* box, scheduler::Receiver<std::string> keystrokes,
                             bool* input_done) {
  while (std::optional<std::string> text = co_await keystrokes.Recv()) box->OnKeystroke(*text);
  *input_done = true;
  box->Submit();
}

int Main() {
  gpui::App app;
  auto corpus = std::make_shared<const std::vector<std::string>>(LoadWords(FLAGS_words));
  SearchBox box(app.foreground(), PrefixSearch(corpus, FLAGS_max_results),
                {.debounce = std::chrono::milliseconds(FLAGS_debounce_ms),
                 .stale_result_bug = FLAGS_stale_result_bug});
  bool input_done = false;
  box.SetOnResultsShown([&] {
    if (input_done && box.shown_query() == box.query()) {
      Print("final results for", box);
      app.Quit();
    } else {
      Print("results for", box);
    }
  });

  auto [sender, receiver] = scheduler::MakeChannel<std::string>();
  // stdin is read on its own thread (the main thread runs the UI loop); the
  // channel hands each line to the main thread.
  std::thread reader([tx = std::move(sender)]() mutable {
    for (std::string line; std::getline(std::cin, line);) {
      int pause_ms = 0;
      if (line.rfind("#pause ", 0) == 0 && absl::SimpleAtoi(line.substr(7), &pause_ms)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
      } else if (!tx.Send(line).ok()) {
        return;
      }
    }
  });  // `tx` is destroyed with the thread's lambda: end of input
  app.foreground().Spawn(Type(&box, std::move(receiver), &input_done)).Detach();
  app.Run();
  reader.join();
  return 0;
}

}  // namespace
}  // namespace gpui_example

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  return gpui_example::Main();
}
