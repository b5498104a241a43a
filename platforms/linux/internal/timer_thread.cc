#include "platforms/linux/internal/timer_thread.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <utility>

namespace scheduler::dispatcher_internal {

std::shared_ptr<TimerThread> TimerThread::Start(Dispatch dispatch, const char* name) {
  std::shared_ptr<TimerThread> timers(new TimerThread(std::move(dispatch)));
  timers->thread_ = std::thread([timers, thread_name = std::string(name)] {
    pthread_setname_np(pthread_self(), thread_name.substr(0, 15).c_str());
    timers->ThreadMain();
  });
  return timers;
}

// The thread computes its sleep and starts waiting in one critical section
// (the condition variable releases mu_ atomically with going to sleep), and
// Add/Stop change the heap under mu_. So a timer added while the thread is
// awake is seen by its next look at the heap, and one added while it sleeps
// finds sleeping_until_ set and signals if the new deadline is earlier.
// Signalling only then keeps Add free of system calls in the common case of
// timers later than the earliest one.

Runnable TimerThread::Add(Instant deadline, Runnable runnable) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return runnable;
  heap_.push_back(Entry{deadline, next_sequence_++, std::move(runnable)});
  std::push_heap(heap_.begin(), heap_.end(), &Later);
  if (deadline < sleeping_until_) {
    sleeping_until_ = Instant::min();  // one signal is enough
    wake_.notify_one();
  }
  return Runnable();
}

void TimerThread::Stop(std::vector<Runnable>& drained) {
  std::lock_guard<std::mutex> lock(mu_);
  stopped_ = true;
  for (Entry& e : heap_) drained.push_back(std::move(e.runnable));
  heap_.clear();
  wake_.notify_one();
}

void TimerThread::Join() {
  if (!thread_.joinable()) return;
  if (thread_.get_id() == std::this_thread::get_id()) {
    thread_.detach();
  } else {
    thread_.join();
  }
}

void TimerThread::ThreadMain() {
  std::vector<Runnable> due;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopped_) {
    const Instant now = std::chrono::steady_clock::now();
    while (!heap_.empty() && heap_.front().deadline <= now) {
      std::pop_heap(heap_.begin(), heap_.end(), &Later);
      due.push_back(std::move(heap_.back().runnable));
      heap_.pop_back();
    }
    if (!due.empty()) {
      // Hand over in (deadline, sequence) order, outside the lock: dispatching
      // takes other locks, and a refused runnable's frame must not be
      // destroyed under ours.
      lock.unlock();
      for (Runnable& r : due) Runnable refused = dispatch_(std::move(r));
      due.clear();
      lock.lock();
      continue;
    }
    sleeping_until_ = heap_.empty() ? Instant::max() : heap_.front().deadline;
    if (sleeping_until_ == Instant::max()) {
      wake_.wait(lock);
    } else {
      // A timed wait may return early (spuriously) or late; the loop re-reads
      // the clock, so a timer never fires before its deadline.
      const Instant until = sleeping_until_;  // Add may overwrite the member
      wake_.wait_until(lock, until);
    }
    sleeping_until_ = Instant::min();
  }
}

}  // namespace scheduler::dispatcher_internal
