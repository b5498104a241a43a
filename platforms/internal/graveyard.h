// Internal: where a platform dispatcher puts runnables it refuses while it
// shuts down (the shutdown policy of platform_dispatcher.h).
#ifndef PLATFORMS_INTERNAL_GRAVEYARD_H_
#define PLATFORMS_INTERNAL_GRAVEYARD_H_

#include <mutex>
#include <utility>
#include <vector>

#include "scheduler/runnable.h"

namespace scheduler::platform_internal {

// Holds refused runnables until `Close`, then drops them; after `Close`,
// drops each one on arrival.
//
// Why: dropping a refused runnable cancels its task at once. While Shutdown
// waits for the workers, a step still running on one of them may create a
// timer (or spawn a child) and await it in the same step; cancelling that
// timer on the spot would make the await throw TaskCancelledError into a task
// that is merely being shut down, and a detached task would report it as an
// unhandled exception. Kept here instead, the timer is still pending when the
// step suspends on it; Shutdown then closes the graveyard after joining the
// workers, and the whole chain is cancelled quietly (the woken task is
// refused in turn and its frame destroyed, never resumed). The core now
// quiets that await by itself too (task.h delivers a cancellation through the
// awaiter's scheduler, which refuses it); the graveyard still keeps refused
// frames from being destroyed while the workers' last steps are running.
//
// Thread-safety: all methods may be called from any thread. Runnables are
// destroyed outside the lock.
class Graveyard {
 public:
  // Keeps `runnable` (dropped on arrival once closed). An empty Runnable,
  // what every accepted push hands back, costs one inline test.
  void Bury(Runnable runnable) {
    if (runnable) BuryRefused(std::move(runnable));
  }
  void Close();

 private:
  void BuryRefused(Runnable runnable);

  std::mutex mu_;
  std::vector<Runnable> buried_;  // guarded by mu_
  bool closed_ = false;           // guarded by mu_
};

}  // namespace scheduler::platform_internal

#endif  // PLATFORMS_INTERNAL_GRAVEYARD_H_
