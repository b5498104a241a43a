// Rng: the TestScheduler's one source of randomness.
//
// xoshiro256** seeded through splitmix64, with our own range reduction
// (Lemire's multiply-shift with rejection). Nothing here comes from <random>'s
// distributions, whose output differs between standard libraries, so a seed
// produces the same schedule with any compiler on any OS.
//
// Not thread-safe; the TestScheduler guards it with its mutex.
#ifndef TESTING_RNG_H_
#define TESTING_RNG_H_

#include <cstdint>

namespace scheduler {

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t Next();
  // Uniform in [0, bound); `bound` must be > 0.
  uint64_t Below(uint64_t bound);
  // Uniform in [lo, hi] (inclusive); requires lo <= hi.
  int64_t InRange(int64_t lo, int64_t hi);
  // True with probability numerator/denominator.
  bool Chance(uint64_t numerator, uint64_t denominator) { return Below(denominator) < numerator; }

 private:
  uint64_t s_[4];
};

}  // namespace scheduler

#endif  // TESTING_RNG_H_
