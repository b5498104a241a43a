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
// advances the fake clock and deprioritizes labels, all on one TestScheduler;
// and it uses the async vocabulary (//scheduler:sync): Race, WithTimeout,
// Mutex, Semaphore, auto-reset Event, bounded channel sends, receives and
// Selects, Latch, Barrier, Watch and Broadcast, with the tasks doing so
// dropped at random like any other.
// After every operation it checks the invariants the async model promises
// and aborts with a description if one breaks (that is a fuzzer finding):
//   * every task is completed, cancelled or pending, exactly once: a frame is
//     destroyed at most once, a finished task is never reported pending, and
//     a pending task's frame is never destroyed;
//   * the clock never goes backwards;
//   * never two mutex holders, never more semaphore permits in use than
//     exist, never more auto-reset passes than Sets, no channel value
//     received twice; at the end every permit is back and every
//     acknowledged channel value was received or is still queued;
//   * a latch releases nobody before its count reaches zero; every barrier
//     phase completes with exactly `parties` live arrivals (a waiter
//     cancelled before the phase completed withdraws), one leader and the
//     others released once and not before; a watch receiver wakes only for
//     a newer value (or the sender's end); a broadcast receiver gets each
//     value once, in order, a DataLoss only when its next value was evicted
//     and the end only after the last value;
//   * no lost wake-up: after RunUntilParked, no task still waits in a latch,
//     barrier, watch or broadcast that already released it;
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
