#include "gpui_integration/test_rng.h"

#include <string>

#include "scheduler/internal/task_core.h"

namespace gpui {

TestRng::TestRng(std::shared_ptr<scheduler::Scheduler> scheduler)
    : scheduler_(std::move(scheduler)),
      controls_(scheduler_ == nullptr ? nullptr : scheduler_->GetTestControls()) {
  if (controls_ == nullptr) {
    scheduler::internal::FatalError("gpui::TestRng needs a scheduler with test controls");
  }
}

uint64_t TestRng::Below(uint64_t bound) {
  if (bound == 0) scheduler::internal::FatalError("gpui::TestRng::Below(0): empty range");
  // Lemire's multiply-shift: the high half of x * bound is uniform in
  // [0, bound) once the low half is outside the short, biased zone.
  const uint64_t threshold = (0 - bound) % bound;
  while (true) {
    const unsigned __int128 product = static_cast<unsigned __int128>((*this)()) * bound;
    if (static_cast<uint64_t>(product) >= threshold) return static_cast<uint64_t>(product >> 64);
  }
}

int64_t TestRng::InRange(int64_t lo, int64_t hi) {
  if (lo > hi) {
    scheduler::internal::FatalError("gpui::TestRng::InRange(" + std::to_string(lo) + ", " +
                                    std::to_string(hi) + "): lo > hi");
  }
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  const uint64_t offset =
      span == std::numeric_limits<uint64_t>::max() ? (*this)() : Below(span + 1);
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + offset);
}

}  // namespace gpui
