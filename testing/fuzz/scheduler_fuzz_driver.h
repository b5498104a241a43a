// A fuzzing driver: interprets bytes as a program of scheduler operations,
// optionally followed by the schedule to run it under.
//
// Input format: <program>[kScheduleMarker <schedule bytes>]. The program is
// two bytes of seed, then (op, a, b) triples. Without the marker the program
// runs under the seeded uniform random strategy; with it, the bytes after the
// (last) marker make every scheduling choice (ByteChooser, Strategy::kFuzz),
// so the fuzzer mutates the interleaving as well as the program, and
// coverage of the scheduler's and the program's code guides both. The
// marker is in the AFL++ dictionary (schedule.dict), so mutations insert it.
//
// The program spawns background, labeled and foreground tasks, awaits,
// detaches and drops them, blocks with timeouts, sends on channels, ticks,
// advances the fake clock and deprioritizes labels, all on one TestScheduler.
// After every operation it checks the invariants the async model promises
// and aborts with a description if one breaks (that is a fuzzer finding):
//   * every task is completed, cancelled or pending, exactly once: a frame is
//     destroyed at most once, a finished task is never reported pending, and
//     a pending task's frame is never destroyed;
//   * the clock never goes backwards;
//   * after Shutdown no frame is alive (and ASan sees no leak);
//   * the same input yields the same trace (checked by running it twice).
//
// Used by the libFuzzer entry point (scheduler_fuzzer.cc, built by
// build_fuzzer.sh) and by the corpus regression test (a Bazel cc_test).
#ifndef TESTING_FUZZ_SCHEDULER_FUZZ_DRIVER_H_
#define TESTING_FUZZ_SCHEDULER_FUZZ_DRIVER_H_

#include <cstddef>
#include <cstdint>

namespace scheduler::fuzz {

// Separates the program from its schedule bytes.
inline constexpr char kScheduleMarker[] = "\xffSCHEDULE:";

struct ProgramResult {
  uint64_t trace_hash = 0;
  int tasks_spawned = 0;
  int operations = 0;
  bool byte_schedule = false;  // the schedule came from the input's bytes
};

// Runs the program once, checking invariants; aborts on a violation.
ProgramResult RunProgram(const uint8_t* data, size_t size);

// Runs the program twice and aborts if the traces differ.
void RunProgramTwiceAndCompare(const uint8_t* data, size_t size);

}  // namespace scheduler::fuzz

#endif  // TESTING_FUZZ_SCHEDULER_FUZZ_DRIVER_H_
