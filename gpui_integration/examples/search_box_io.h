// What the SearchBox example's front ends share (search_box_main reads
// keystrokes from stdin, search_box_x11_main from an X11 window): the word
// list they search and the line they print for the results on show.
#ifndef GPUI_INTEGRATION_EXAMPLES_SEARCH_BOX_IO_H_
#define GPUI_INTEGRATION_EXAMPLES_SEARCH_BOX_IO_H_

#include <string>
#include <vector>

#include "gpui_integration/examples/search_box.h"

namespace gpui_example {

// The words of `path`, one per line, empty lines skipped; with an empty path,
// a built-in list of 40 words (most starting with "s", so that typing "s",
// "se", "sea", ... narrows the results step by step). An unreadable file
// gives no words.
std::vector<std::string> LoadWords(const std::string& path);

// `<prefix> "<query>": <word> <word> ...`, e.g. `results for "se": sea seal`.
// The tests parse this format.
std::string ResultsLine(const std::string& prefix, const std::string& query,
                        const SearchResults& results);

}  // namespace gpui_example

#endif  // GPUI_INTEGRATION_EXAMPLES_SEARCH_BOX_IO_H_
