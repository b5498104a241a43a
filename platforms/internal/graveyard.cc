#include "platforms/internal/graveyard.h"

#include <utility>

namespace scheduler::platform_internal {

void Graveyard::BuryRefused(Runnable runnable) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closed_) {
      buried_.push_back(std::move(runnable));
      return;
    }
  }
  // Closed: `runnable` is destroyed here, after the lock is released.
}

void Graveyard::Close() {
  std::vector<Runnable> doomed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    doomed.swap(buried_);
  }
  // Destroying frames may refuse more runnables; they are dropped on arrival.
}

}  // namespace scheduler::platform_internal
