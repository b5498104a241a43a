// Replays every input in the checked-in fuzz corpus (testing/fuzz/corpus/)
// through the fuzz driver, with the project's own compiler and sanitizers. A
// fuzzer finding is added to the corpus, so it stays fixed.
#include <algorithm>
#include <cstdint>
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
  int byte_schedules = 0;
  for (const std::filesystem::path& file : files) {
    SCOPED_TRACE(file.string());
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    RunProgramTwiceAndCompare(data, bytes.size());
    const ProgramResult result = RunProgram(data, bytes.size());
    tasks += result.tasks_spawned;
    byte_schedules += result.byte_schedule;
  }
  EXPECT_GT(tasks, 0) << "the corpus exercises no task at all";
  EXPECT_GE(byte_schedules, 10) << "the corpus should exercise schedules taken from bytes";
}

TEST(CorpusRegressionTest, DifferentProgramsGiveDifferentTraces) {
  // Seed, then (op, a, b) triples: spawn two tasks and run; in `b` the second
  // spawn's task is dropped before it runs.
  const uint8_t a[] = {0, 1, 0, 1, 2, 0, 2, 3, 6, 0, 0};
  const uint8_t b[] = {0, 1, 0, 1, 2, 0, 2, 3, 3, 2, 0, 6, 0, 0};
  EXPECT_NE(RunProgram(a, sizeof(a)).trace_hash, RunProgram(b, sizeof(b)).trace_hash);
}

TEST(CorpusRegressionTest, ScheduleBytesChooseTheInterleaving) {
  // Three background tasks that yield, run to the end; then the same program
  // under different schedule bytes.
  const std::string program(
      "\x00\x07"
      "\x00\x03\x01"
      "\x00\x02\x02"
      "\x00\x01\x03"
      "\x06\x00\x00",
      14);
  auto run = [&](const std::string& schedule) {
    const std::string input = program + kScheduleMarker + schedule;
    RunProgramTwiceAndCompare(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    const ProgramResult r =
        RunProgram(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    EXPECT_TRUE(r.byte_schedule);
    return r.trace_hash;
  };
  const uint64_t calm = run("");
  EXPECT_EQ(run(std::string(8, '\0')), calm) << "zero bytes are the non-preemptive default";
  EXPECT_NE(run("\x01\x01\x01\x01"), calm);
  EXPECT_NE(run("\x02\x01\x02\x01"), run("\x01\x02\x01\x02"));
}

}  // namespace
}  // namespace scheduler::fuzz
