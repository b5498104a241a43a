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

  // Next and Below are inline: the ready queue draws once per TestScheduler
  // step, and the calls were a measurable part of it (see BENCHMARKS.md).
  uint64_t Next() {
    const uint64_t result = PeekNext();
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // What the next Next() returns, without drawing it (it depends on one word
  // of the state): lets a caller prepare for a draw it will make later.
  uint64_t PeekNext() const { return Rotl(s_[1] * 5, 7) * 9; }
  // Uniform in [0, bound); `bound` must be > 0.
  uint64_t Below(uint64_t bound) {
    // Lemire, "Fast Random Integer Generation in an Interval" (2019): the high
    // word of a 128-bit product, rejecting the few low words that would bias it.
    unsigned __int128 m = static_cast<unsigned __int128>(Next()) * bound;
    if (static_cast<uint64_t>(m) < bound) m = BelowSlow(m, bound);
    return static_cast<uint64_t>(m >> 64);
  }
  // Uniform in [lo, hi] (inclusive); requires lo <= hi.
  int64_t InRange(int64_t lo, int64_t hi);
  // True with probability numerator/denominator.
  bool Chance(uint64_t numerator, uint64_t denominator) { return Below(denominator) < numerator; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  // Below's rejection loop, for the rare product whose low word is < bound.
  unsigned __int128 BelowSlow(unsigned __int128 m, uint64_t bound);

  uint64_t s_[4];
};

}  // namespace scheduler

#endif  // TESTING_RNG_H_
