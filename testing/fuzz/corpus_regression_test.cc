// Replays every input in the checked-in fuzz corpus (testing/fuzz/corpus/)
// through the fuzz driver, with the project's own compiler and sanitizers. A
// fuzzer finding is added to the corpus, so it stays fixed.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/fuzz/scheduler_fuzz_driver.h"

namespace scheduler::fuzz {
namespace {

std::vector<std::filesystem::path> CorpusFiles() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator("testing/fuzz/corpus")) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(CorpusRegressionTest, EveryInputKeepsTheInvariants) {
  const std::vector<std::filesystem::path> files = CorpusFiles();
  ASSERT_GE(files.size(), 10u) << "the corpus is missing";
  int tasks = 0;
  for (const std::filesystem::path& file : files) {
    SCOPED_TRACE(file.string());
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    RunProgramTwiceAndCompare(data, bytes.size());
    tasks += RunProgram(data, bytes.size()).tasks_spawned;
  }
  EXPECT_GT(tasks, 0) << "the corpus exercises no task at all";
}

TEST(CorpusRegressionTest, DifferentProgramsGiveDifferentTraces) {
  // Seed, then (op, a, b) triples: spawn two tasks and run; in `b` the second
  // spawn's task is dropped before it runs.
  const uint8_t a[] = {0, 1, 0, 1, 2, 0, 2, 3, 6, 0, 0};
  const uint8_t b[] = {0, 1, 0, 1, 2, 0, 2, 3, 3, 2, 0, 6, 0, 0};
  EXPECT_NE(RunProgram(a, sizeof(a)).trace_hash, RunProgram(b, sizeof(b)).trace_hash);
}

}  // namespace
}  // namespace scheduler::fuzz
