#include "testing/shared_rng.h"

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"

namespace scheduler {
namespace {

[[noreturn]] void Misuse(const char* message) {
  std::fprintf(stderr, "SharedRng: fatal: %s\n", message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace

struct SharedRng::State {
  explicit State(uint64_t seed) : rng(seed) {}
  absl::Mutex mu;
  Rng rng ABSL_GUARDED_BY(mu);
};

SharedRng::SharedRng(uint64_t seed) : state_(std::make_shared<State>(seed)) {}

absl::Mutex& SharedRng::mutex() const { return state_->mu; }

Rng& SharedRng::Locked() const {
  state_->mu.AssertHeld();
  return state_->rng;
}

uint64_t SharedRng::Next() const {
  absl::MutexLock lock(&state_->mu);
  return state_->rng.Next();
}

uint64_t SharedRng::Below(uint64_t bound) const {
  if (bound == 0) Misuse("Below(0): the bound must be positive");
  absl::MutexLock lock(&state_->mu);
  return state_->rng.Below(bound);
}

int64_t SharedRng::InRange(int64_t lo, int64_t hi) const {
  if (lo > hi) Misuse("InRange(lo, hi) with lo > hi");
  absl::MutexLock lock(&state_->mu);
  return state_->rng.InRange(lo, hi);
}

bool SharedRng::Chance(uint64_t numerator, uint64_t denominator) const {
  if (denominator == 0) Misuse("Chance(n, 0): the denominator must be positive");
  absl::MutexLock lock(&state_->mu);
  return state_->rng.Chance(numerator, denominator);
}

}  // namespace scheduler
