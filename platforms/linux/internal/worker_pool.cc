#include "platforms/linux/internal/worker_pool.h"

#include <pthread.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "platforms/internal/run_step.h"
#include "scheduler/current_task.h"

namespace scheduler::dispatcher_internal {
namespace {

// The pool whose worker is running on this thread, if any, and its index.
thread_local const WorkerPool* current_pool = nullptr;
thread_local int current_index = -1;

// Consecutive LIFO-slot runs a worker allows before it takes the queue's
// oldest runnable again (tokio uses the same bound), so that two tasks waking
// each other cannot starve the queue.
constexpr int kMaxLifoStreak = 3;

// How long an out-of-work worker polls the queue before it parks. A short
// spin catches the next runnable of a burst without a sleep/wake round trip
// through the kernel; it is kept short because on a machine with few cores a
// spinning worker steals time from the thread that is producing the work.
constexpr int kSpinRounds = 64;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

// WAKE-UP PROTOCOL (why no runnable is ever stranded while a worker sleeps,
// and why a push costs no system call while every worker is busy).
//
// The queue, the idle list and each worker's `idle` flag are guarded by mu_.
//   * A worker that finds the queue empty adds itself to idle_ *in the same
//     critical section* in which it saw the queue empty, then parks on its own
//     Parker after unlocking.
//   * A pusher appends to the queue and, in the same critical section, takes
//     one worker off idle_ (if any); it unparks that worker after unlocking.
// The two critical sections are ordered by mu_. If the push comes first, the
// worker sees the runnable and does not register as idle. If the worker's
// comes first, the pusher sees it in idle_ and unparks it; an unpark that
// arrives before the worker reaches Park() is kept as the Parker's token, so
// the wake-up cannot fall into the gap between unlock and Park(). Hence:
//   - no lost wake-ups (a runnable is queued only while no worker is parked,
//     or one parked worker has been chosen to take it);
//   - no thundering herd (one push unparks at most one worker);
//   - no system call when no worker is idle (the push is a lock, an append
//     and an empty() check; a futex-based std::mutex enters the kernel only
//     when contended).
// A worker may wake without being chosen (a stale Parker token); it then
// unlists itself and looks at the queue again. While it holds work it is never
// listed in idle_, so a pusher never "wakes" a busy worker in place of a
// parked one.
//
// SEARCHING WORKERS (as in tokio). A worker that is spinning for work, or has
// just been chosen and is waking up, counts in searching_ (under mu_). A push
// wakes a parked worker only when searching_ is 0: a searcher will take the
// runnable, because it re-checks the queue under mu_ before it parks (the
// same ordering argument as above, with searching_ in place of idle_). When a
// worker takes a runnable and more are queued while nobody searches, it wakes
// one parked worker itself, and that one does the same: a burst ramps up the
// pool one wake-up at a time instead of one wake-up per push.
//
// STOP. Stop sets stopped_ under mu_ and unparks every idle worker; a worker
// checks stopped_ under mu_ before it sleeps, so none sleeps through it.
//
// LIFO SLOT (as in tokio). When the task running on a worker wakes or spawns
// another task, the new runnable goes into that worker's private slot instead
// of the shared queue, and the worker runs it as soon as the current step
// returns: no lock, no wake-up of another worker, and the data the two tasks
// share is still in this core's cache. Message passing between tasks (A sends
// to B, B answers A) then stays on one worker with no system call at all. A
// newer runnable pushes the older one out to the shared queue (waking a
// parked worker for it). Rules that keep it fair and correct:
//   * Runnables scheduled *from inside a task step* on this pool's worker use
//     the slot. A task rescheduled after its own step (Yield, or a wake during
//     its step) goes to the back of the shared queue, so Yield still lets
//     everyone else go first; only when that queue is empty (nobody else to
//     let go first) does it take the empty slot, so a lone yielding task does
//     not bounce between workers.
//   * After kMaxLifoStreak slot runs in a row the worker takes the oldest
//     queued runnable instead (moving the slot's runnable to the queue).
//   * The slot is private: other workers cannot take it. Its runnable waits
//     at most for the rest of the current step; a task that spawns a child
//     and then computes for long delays that one child (the previous ones were
//     pushed to the queue). The option exists to turn it off.

std::shared_ptr<WorkerPool> WorkerPool::Start(int threads, bool lifo_slot, const char* name) {
  std::shared_ptr<WorkerPool> pool(new WorkerPool(std::max(threads, 1), lifo_slot));
  pool->threads_.reserve(pool->workers_.size());
  for (int i = 0; i < pool->size(); ++i) {
    pool->threads_.emplace_back(
        [pool, i, thread_name = std::string(name) + "-" + std::to_string(i)] {
          // Linux limits thread names to 15 characters.
          pthread_setname_np(pthread_self(), thread_name.substr(0, 15).c_str());
          pool->WorkerMain(i);
        });
  }
  return pool;
}

WorkerPool::WorkerPool(int threads, bool lifo_slot) : lifo_slot_(lifo_slot) {
  workers_.reserve(threads);
  for (int i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
}

WorkerPool::~WorkerPool() = default;

bool WorkerPool::IsWorkerThread() const { return current_pool == this; }

Runnable WorkerPool::Push(Runnable runnable) {
  if (lifo_slot_ && current_pool == this) {
    Worker& self = *workers_[current_index];
    if (CurrentTaskMetadata() != nullptr) {
      // From a step on one of our workers: that worker's slot (LIFO SLOT).
      std::swap(runnable, self.lifo);
      if (!runnable) return Runnable();
      // `runnable` is now the slot's previous occupant: off to the queue.
    } else if (!self.lifo) {
      // Rescheduled after its own step (Yield, or woken during the step): it
      // belongs behind everything queued, which, if nothing is, is right here.
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty() && !stopped_) {
        self.lifo = std::move(runnable);
        return Runnable();
      }
    }
  }
  return PushShared(std::move(runnable));
}

Runnable WorkerPool::PushShared(Runnable runnable) {
  std::optional<Unparker> wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return runnable;
    queue_.push_back(std::move(runnable));
    queued_hint_.store(queue_.size(), std::memory_order_relaxed);
    // A searching worker will take it; otherwise wake a parked one.
    if (searching_ == 0) wake = ChooseIdleLocked();
  }
  if (wake.has_value()) wake->Unpark();
  return Runnable();
}

std::optional<Unparker> WorkerPool::ChooseIdleLocked() {
  if (idle_.empty()) return std::nullopt;
  Worker& chosen = *workers_[idle_.back()];
  idle_.pop_back();
  chosen.idle = false;
  // Counted as searching from now on, so that the pushes that follow while it
  // wakes up do not wake the other parked workers too.
  chosen.searching = true;
  ++searching_;
  return chosen.parker.GetUnparker();
}

void WorkerPool::Stop(std::vector<Runnable>& drained) {
  std::vector<Unparker> wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    stopping_.store(true, std::memory_order_relaxed);
    for (Runnable& r : queue_) drained.push_back(std::move(r));
    queue_.clear();
    queued_hint_.store(0, std::memory_order_relaxed);
    for (int index : idle_) {
      workers_[index]->idle = false;
      wake.push_back(workers_[index]->parker.GetUnparker());
    }
    idle_.clear();
  }
  for (const Unparker& u : wake) u.Unpark();
}

void WorkerPool::Join() {
  for (std::thread& t : threads_) {
    if (!t.joinable()) continue;
    if (t.get_id() == std::this_thread::get_id()) {
      t.detach();  // never join yourself; this thread exits after its step
    } else {
      t.join();
    }
  }
}

void WorkerPool::WorkerMain(int index) {
  current_pool = this;
  current_index = index;
  while (Runnable runnable = Next(index)) platform_internal::RunStep(std::move(runnable));
  // Stopped: cancel what the slot still holds, on this thread, unlocked.
  // (Its frame's destructors run outside any step, so whatever they schedule
  // goes to the stopped queue and is dropped too.)
  Runnable leftover = std::move(workers_[index]->lifo);
  leftover = Runnable();
  current_pool = nullptr;
  current_index = -1;
}

Runnable WorkerPool::Next(int index) {
  Worker& self = *workers_[index];
  if (self.lifo && !stopping_.load(std::memory_order_relaxed)) {
    if (self.lifo_streak < kMaxLifoStreak) {
      ++self.lifo_streak;
      return std::move(self.lifo);
    }
    // Enough LIFO runs in a row: the slot's runnable queues up like any other.
    Runnable refused = PushShared(std::move(self.lifo));
    if (refused) return Runnable();  // stopped; `refused` is dropped here
  }
  self.lifo_streak = 0;
  int spins_left = kSpinRounds;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (self.idle) {
        // Woke without being chosen (a stale token): unlist, so that pushers
        // do not count on this worker while it is not parked.
        idle_.erase(std::find(idle_.begin(), idle_.end(), index));
        self.idle = false;
      }
      if (stopped_) {
        if (self.searching) --searching_;
        self.searching = false;
        return Runnable();
      }
      if (!queue_.empty()) {
        if (self.searching) --searching_;
        self.searching = false;
        Runnable runnable = std::move(queue_.front());
        queue_.pop_front();
        queued_hint_.store(queue_.size(), std::memory_order_relaxed);
        // More is queued and nobody else is looking: bring in a parked
        // worker (it will do the same), so a backlog spreads over the pool.
        std::optional<Unparker> wake;
        if (!queue_.empty() && searching_ == 0) wake = ChooseIdleLocked();
        lock.unlock();
        if (wake.has_value()) wake->Unpark();
        return runnable;
      }
      if (spins_left > 0) {
        if (!self.searching) ++searching_;
        self.searching = true;
      } else {
        if (self.searching) --searching_;
        self.searching = false;
        idle_.push_back(index);
        self.idle = true;
      }
    }
    if (spins_left > 0) {
      for (; spins_left > 0; --spins_left) {
        if (queued_hint_.load(std::memory_order_relaxed) != 0) break;
        CpuRelax();
      }
      continue;
    }
    self.parker.Park(std::nullopt);
    spins_left = kSpinRounds;
  }
}

}  // namespace scheduler::dispatcher_internal
