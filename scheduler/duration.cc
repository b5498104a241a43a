#include "scheduler/duration.h"

namespace scheduler {

Instant SaturatingAdd(Instant t, Duration d) {
  const auto ticks = t.time_since_epoch().count();
  using Rep = Instant::rep;
  const Rep delta = std::chrono::duration_cast<Instant::duration>(d).count();
  Rep sum;
  if (__builtin_add_overflow(ticks, delta, &sum)) {
    return delta > 0 ? Instant::max() : Instant::min();
  }
  return Instant(Instant::duration(sum));
}

}  // namespace scheduler
