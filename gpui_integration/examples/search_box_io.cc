#include "gpui_integration/examples/search_box_io.h"

#include <fstream>

namespace gpui_example {

std::vector<std::string> LoadWords(const std::string& path) {
  if (path.empty()) {
    return {"scheduler", "sea",    "seal",   "search", "season",  "seat",  "second", "secret",
            "section",   "secure", "seed",   "seek",   "select",  "self",  "sell",   "send",
            "sense",     "serial", "series", "serve",  "session", "set",   "settle", "seven",
            "spawn",     "stack",  "start",  "state",  "status",  "step",  "stop",   "store",
            "task",      "thread", "tick",   "timer",  "token",   "trace", "type",   "typist"};
  }
  std::vector<std::string> words;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) words.push_back(line);
  }
  return words;
}

std::string ResultsLine(const std::string& prefix, const std::string& query,
                        const SearchResults& results) {
  std::string line = prefix + " \"" + query + "\":";
  for (const std::string& word : results) line += " " + word;
  return line;
}

}  // namespace gpui_example
