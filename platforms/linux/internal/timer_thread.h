// Internal: the Linux dispatcher's timers (`ScheduleAfter`).
#ifndef PLATFORMS_LINUX_INTERNAL_TIMER_THREAD_H_
#define PLATFORMS_LINUX_INTERNAL_TIMER_THREAD_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "scheduler/duration.h"
#include "scheduler/runnable.h"

namespace scheduler::dispatcher_internal {

// One thread that sleeps until the earliest deadline and then hands each due
// runnable to `dispatch`.
//
// Timers live in a binary min-heap keyed by (deadline, sequence number): O(log
// n) to add or fire, and timers with equal deadlines fire in the order they
// were added. A runnable is handed over no earlier than its deadline on
// `std::chrono::steady_clock` (the dispatcher's `Now()`); a deadline of
// `Instant::max()` never comes, and such timers wait for `Stop`.
//
// Thread-safety: `Add` from any thread; `Stop` and `Join` by the owner, `Join`
// once and after `Stop`. The thread owns the state jointly with the owner
// (see WorkerPool for why).
class TimerThread {
 public:
  // Receives a due runnable; returns it back if it was refused (the timer
  // thread then drops it, which cancels its task).
  using Dispatch = std::function<Runnable(Runnable)>;

  static std::shared_ptr<TimerThread> Start(Dispatch dispatch, const char* name);

  TimerThread(const TimerThread&) = delete;
  TimerThread& operator=(const TimerThread&) = delete;

  // Arms a timer. Returns an empty Runnable, or `runnable` itself after
  // `Stop` (the caller drops it outside its locks).
  [[nodiscard]] Runnable Add(Instant deadline, Runnable runnable);

  // Disarms every timer (moving its runnable to `drained`), refuses later
  // ones and makes the thread exit.
  void Stop(std::vector<Runnable>& drained);

  // Waits for the thread to exit (detaches instead if called on it).
  void Join();

 private:
  struct Entry {
    Instant deadline;
    uint64_t sequence;
    Runnable runnable;
  };
  // std::*_heap comparator: the earliest (deadline, sequence) on top.
  static bool Later(const Entry& a, const Entry& b) {
    return a.deadline != b.deadline ? a.deadline > b.deadline : a.sequence > b.sequence;
  }

  explicit TimerThread(Dispatch dispatch) : dispatch_(std::move(dispatch)) {}
  void ThreadMain();

  const Dispatch dispatch_;
  std::thread thread_;  // owner only

  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Entry> heap_;     // guarded by mu_
  uint64_t next_sequence_ = 0;  // guarded by mu_
  // While the thread sleeps: the deadline it sleeps until (Instant::max()
  // for no timeout). Instant::min() while it is awake. Guarded by mu_.
  Instant sleeping_until_ = Instant::min();
  bool stopped_ = false;  // guarded by mu_
};

}  // namespace scheduler::dispatcher_internal

#endif  // PLATFORMS_LINUX_INTERNAL_TIMER_THREAD_H_
