#include "testing/rng.h"

namespace scheduler {
namespace {

uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Rng::Rng(uint64_t seed) {
  for (uint64_t& word : s_) word = SplitMix64(seed);
}

unsigned __int128 Rng::BelowSlow(unsigned __int128 m, uint64_t bound) {
  const uint64_t threshold = -bound % bound;
  while (static_cast<uint64_t>(m) < threshold) m = static_cast<unsigned __int128>(Next()) * bound;
  return m;
}

int64_t Rng::InRange(int64_t lo, int64_t hi) {
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<int64_t>(Next());
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + Below(span + 1));
}

}  // namespace scheduler
