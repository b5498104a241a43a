// TestRng: seeded randomness for code running under the TestScheduler.
//
// GPUI tests draw "random" inputs (edit positions, latencies, which query a
// simulated user types) from the scheduler's seed, so that one seed replays
// the whole run: the schedule *and* the data. `BackgroundExecutor::Rng()`
// returns a TestRng under the TestScheduler and `std::nullopt` in production.
//
//   if (std::optional<gpui::TestRng> rng = background.Rng()) {
//     latency = std::chrono::milliseconds(rng->Below(100));
//   }
//
// Every draw advances the TestScheduler's one PRNG (the one that picks the
// next task), so draws interleave deterministically with scheduling choices.
// `Below` and `InRange` use our own range reduction rather than <random>'s
// distributions, whose output differs between standard libraries.
//
// Thread-safety: draws may come from any thread, inside or outside task steps
// (the TestScheduler serializes them). A TestRng keeps its scheduler alive.
#ifndef GPUI_INTEGRATION_TEST_RNG_H_
#define GPUI_INTEGRATION_TEST_RNG_H_

#include <cstdint>
#include <limits>
#include <memory>

#include "scheduler/scheduler.h"
#include "scheduler/test_controls.h"

namespace gpui {

// Satisfies std::uniform_random_bit_generator, so it also works with
// std::shuffle and friends (whose results are then library-specific).
class TestRng {
 public:
  using result_type = uint64_t;

  // `scheduler` must expose test controls.
  explicit TestRng(std::shared_ptr<scheduler::Scheduler> scheduler);

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() { return controls_->NextRandom(); }

  // Uniform in [0, bound). `bound` must be positive (fatal otherwise).
  uint64_t Below(uint64_t bound);
  // Uniform in [lo, hi], inclusive. Requires lo <= hi (fatal otherwise).
  int64_t InRange(int64_t lo, int64_t hi);
  // True with probability numerator / denominator.
  bool Chance(uint64_t numerator, uint64_t denominator) { return Below(denominator) < numerator; }

 private:
  std::shared_ptr<scheduler::Scheduler> scheduler_;
  scheduler::TestControls* controls_;
};

}  // namespace gpui

#endif  // GPUI_INTEGRATION_TEST_RNG_H_
