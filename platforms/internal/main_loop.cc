#include "platforms/internal/main_loop.h"

#include <iterator>
#include <utility>

#include "platforms/internal/dispatcher_step.h"
#include "scheduler/internal/task_core.h"

namespace scheduler::platform_internal {

// The loop sets sleeping_ and waits in one critical section (the condition
// variable releases mu_ atomically with going to sleep); every state change it
// waits for is made under mu_ followed by WakeLocked(). So a change either
// comes before the loop's last check (which sees it) or finds sleeping_ set
// and signals: no lost wake-up.

Runnable MainLoop::Push(Runnable runnable) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_.load(std::memory_order_relaxed)) return runnable;
  queue_.push_back(std::move(runnable));
  WakeLocked();
  return Runnable();
}

void MainLoop::Quit() {
  std::lock_guard<std::mutex> lock(mu_);
  quit_.store(true, std::memory_order_relaxed);
  WakeLocked();
}

void MainLoop::Stop(std::vector<Runnable>& drained) {
  std::lock_guard<std::mutex> lock(mu_);
  stopped_.store(true, std::memory_order_relaxed);
  for (Runnable& r : queue_) drained.push_back(std::move(r));
  queue_.clear();
  WakeLocked();
}

bool MainLoop::Run(const Scheduler* dispatcher) {
  if (running_.exchange(true, std::memory_order_acquire)) return false;
  struct Leave {
    std::atomic<bool>& running;
    ~Leave() { running.store(false, std::memory_order_release); }
  } leave{running_};
  while (true) {
    // Declared before any lock below, so runnables left in it when Run
    // returns are dropped (cancelled) after mu_ is released.
    std::deque<Runnable> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      sleeping_ = true;
      wake_.wait(lock, [this] {
        return !queue_.empty() || quit_.load(std::memory_order_relaxed) ||
               stopped_.load(std::memory_order_relaxed);
      });
      sleeping_ = false;
      if (stopped_.load(std::memory_order_relaxed)) return true;
      if (quit_.exchange(false, std::memory_order_relaxed)) return true;
      // The whole queue is taken at once: one lock per batch rather than per
      // runnable. Runnables pushed meanwhile queue up behind the batch, so
      // FIFO order holds.
      batch.swap(queue_);
    }
    while (!batch.empty()) {
      Runnable runnable = std::move(batch.front());
      batch.pop_front();
      RunDispatcherStep(std::move(runnable), dispatcher);
      if (stopped_.load(std::memory_order_relaxed)) return true;  // cancels the rest
      if (quit_.load(std::memory_order_relaxed)) {
        // Quit takes effect after the current runnable: the rest of the batch
        // goes back in front of anything pushed meanwhile, in order.
        std::lock_guard<std::mutex> lock(mu_);
        quit_.store(false, std::memory_order_relaxed);
        if (stopped_.load(std::memory_order_relaxed)) return true;
        queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()),
                      std::make_move_iterator(batch.end()));
        return true;
      }
    }
  }
}

}  // namespace scheduler::platform_internal
