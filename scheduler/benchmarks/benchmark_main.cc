// main() for this repository's Google Benchmark binaries.
//
// Debian's Abseil is built with absl::Mutex deadlock detection on (a debug
// feature left on in its build): it records every lock in a process-wide graph
// whose cost grows with the number of live mutexes, one per task core, and at
// 100,000 tasks it dominates. Release builds of Abseil have it off, so the
// benchmarks switch it off too; pass --absl_deadlock_detection to keep it and
// measure its cost. BENCHMARKS.md quotes figures with it off.
#include <string_view>

#include "absl/synchronization/mutex.h"
#include "benchmark/benchmark.h"

int main(int argc, char** argv) {
  bool keep_detection = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--absl_deadlock_detection") {
      keep_detection = true;
      for (int j = i; j + 1 < argc; ++j) argv[j] = argv[j + 1];
      --argc;
      break;
    }
  }
  if (!keep_detection) absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
