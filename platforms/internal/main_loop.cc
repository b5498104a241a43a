#include "platforms/internal/main_loop.h"

#include <iterator>
#include <utility>

#include "platforms/internal/dispatcher_step.h"
#include "scheduler/internal/task_core.h"

namespace scheduler::platform_internal {

// The loop checks its queue and sets sleeping_ in one critical section, then
// sleeps in the waiter; every state change it waits for is made under mu_
// followed by WakeLocked(). So a change either comes before the loop's last
// check (which sees it) or finds sleeping_ set and wakes the waiter, which
// ends the sleep even if the OS wait has not started yet
// (main_loop_waiter.h): no lost wake-up.

namespace {
thread_local MainLoop* current_loop = nullptr;
}  // namespace

MainLoop::MainLoop(std::shared_ptr<MainLoopWaiter> waiter) : waiter_(std::move(waiter)) {}

MainLoop* MainLoop::Current() { return current_loop; }

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
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_.load(std::memory_order_relaxed)) return;
    stopped_.store(true, std::memory_order_relaxed);
    for (Runnable& r : queue_) drained.push_back(std::move(r));
    queue_.clear();
    WakeLocked();
  }
  // Outside mu_: what the waiter releases may push to this (stopped) loop.
  waiter_->Stop();
}

bool MainLoop::Run(const Scheduler* dispatcher) {
  if (running_.exchange(true, std::memory_order_acquire)) return false;
  struct Leave {
    std::atomic<bool>& running;
    MainLoop* previous;
    ~Leave() {
      current_loop = previous;
      running.store(false, std::memory_order_release);
    }
  } leave{running_, std::exchange(current_loop, this)};
  while (true) {
    // Declared before any lock below, so runnables left in it when Run
    // returns are dropped (cancelled) after mu_ is released.
    std::deque<Runnable> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      while (queue_.empty() && !quit_.load(std::memory_order_relaxed) &&
             !stopped_.load(std::memory_order_relaxed)) {
        // Awake, and no wake-up outstanding: the previous sleep's, if any,
        // was cleared when it ended.
        assert(!sleeping_ && !wake_sent_);
        sleeping_ = true;
        waiter_->Sleep(lock, dispatcher);
        sleeping_ = false;
        wake_sent_ = false;
      }
      if (stopped_.load(std::memory_order_relaxed)) return true;
      if (quit_.exchange(false, std::memory_order_relaxed)) return true;
      // Sources get their turn before every batch, not only when the queue
      // runs dry; also right after a sleep, although the sleep dispatched
      // what woke it: a thread may make a source ready and then push a
      // runnable that expects it handled while the sleep was already
      // dispatching (or had returned). The waiter cannot tell a fresh
      // wake-up from a stale one, so the loop polls every time; a sleep
      // happens only when the loop ran dry, so this costs little.
      lock.unlock();
      waiter_->Poll(dispatcher);
      lock.lock();
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
