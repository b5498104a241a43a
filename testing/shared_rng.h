// SharedRng: a thread-safe handle to the TestScheduler's one PRNG.
//
// `TestScheduler::Rng()` returns one, so tests and tasks draw from the
// scheduler's data stream: a test that takes its random inputs from it replays
// exactly with its seed, or with a Schedule recorded from that seed. Copies share the same
// generator; each call locks it briefly. The range reductions are `Rng`'s (ours, not <random>'s),
// so the numbers are the same with any compiler and OS.
//
// Determinism holds only while the draws happen in a deterministic order, i.e.
// from the driving thread or inside task steps, never from other threads.
#ifndef TESTING_SHARED_RNG_H_
#define TESTING_SHARED_RNG_H_

#include <cstdint>
#include <iterator>
#include <memory>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "testing/rng.h"

namespace scheduler {

class SharedRng {
 public:
  explicit SharedRng(uint64_t seed);

  uint64_t Next() const;
  // Uniform in [0, bound); `bound` must be > 0 (0 is a fatal error).
  uint64_t Below(uint64_t bound) const;
  // Uniform in [lo, hi] (inclusive); `lo > hi` is a fatal error.
  int64_t InRange(int64_t lo, int64_t hi) const;
  // True with probability numerator/denominator; `denominator` must be > 0.
  bool Chance(uint64_t numerator, uint64_t denominator) const;

  // The mutex that guards the generator, and the generator itself for a
  // caller holding it. An owner that draws under a lock of its own can make
  // this mutex that lock: the TestScheduler does, so that a step takes one
  // lock rather than one for its state and another for its draw.
  absl::Mutex& mutex() const;
  Rng& Locked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex());

  // Fisher-Yates shuffle of a random-access range.
  template <typename RandomIt>
  void Shuffle(RandomIt first, RandomIt last) const {
    for (auto n = std::distance(first, last); n > 1; --n) {
      using std::swap;
      swap(first[n - 1], first[static_cast<std::ptrdiff_t>(Below(static_cast<uint64_t>(n)))]);
    }
  }

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace scheduler

#endif  // TESTING_SHARED_RNG_H_
