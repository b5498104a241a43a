// The stand-in GCD: a model of the libdispatch/CoreFoundation calls MacDispatcher makes.
//
// One mutex guards three queues: the main queue (run only by CFRunLoopRunInMode on the main
// thread), the global concurrent queue (served by kGlobalThreads threads) and the timers of
// dispatch_after_f (a heap ordered by deadline, then submission order, served by one thread that
// moves due timers onto their queue). What it does not model: GCD's elastic thread count (a fixed
// pool can starve where GCD would add a thread), QoS, and more than one run-loop mode.
//
// The state is created on first use and never destroyed: its threads wait forever, and a timer
// still pending at exit stays reachable rather than showing up as a leak.
#include <CoreFoundation/CoreFoundation.h>
#include <dispatch/dispatch.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "platforms/mac/stand_in_gcd/controls.h"

struct stand_in_dispatch_queue {
  bool main;
};
struct stand_in_cf_run_loop {};
struct stand_in_cf_string {};

namespace {

constexpr int kGlobalThreads = 4;

stand_in_dispatch_queue main_queue{true};
stand_in_dispatch_queue global_queue{false};
stand_in_cf_run_loop main_run_loop;
const stand_in_cf_string default_mode{};

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Work {
  dispatch_function_t function;
  void* context;
};

struct Timer {
  int64_t deadline;  // steady-clock nanoseconds
  int64_t fire_at;   // deadline, or earlier for a timer told to fire early
  uint64_t sequence;
  dispatch_queue_t queue;
  Work work;
  bool operator>(const Timer& other) const {
    if (fire_at != other.fire_at) return fire_at > other.fire_at;
    return sequence > other.sequence;
  }
};

class Gcd {
 public:
  static Gcd& Get() {
    static Gcd* const gcd = new Gcd();
    return *gcd;
  }

  void Async(dispatch_queue_t queue, Work work) {
    std::lock_guard<std::mutex> lock(mu_);
    PushLocked(queue, work);
  }

  void After(int64_t deadline, dispatch_queue_t queue, Work work) {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t fire_at = deadline;
    if (early_timers_left_ > 0) {
      --early_timers_left_;
      fire_at -= early_by_;
    }
    timers_.push(Timer{deadline, fire_at, next_sequence_++, queue, work});
    timers_changed_.notify_one();
  }

  CFRunLoopRunResult RunMain(double seconds, bool return_after_source_handled) {
    if (pthread_main_np() == 0) {
      std::fprintf(stderr, "stand-in GCD: CFRunLoopRunInMode off the main thread\n");
      std::abort();
    }
    const auto give_up = std::chrono::steady_clock::now() +
                         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(std::min(seconds, 1.0e6)));
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      if (stop_main_) {
        stop_main_ = false;
        return kCFRunLoopRunStopped;
      }
      if (!main_.empty()) {
        // One drain runs what was queued when it began, in order, unlocked.
        std::deque<Work> batch;
        batch.swap(main_);
        lock.unlock();
        for (const Work& work : batch) work.function(work.context);
        lock.lock();
        if (return_after_source_handled) return kCFRunLoopRunHandledSource;
        continue;
      }
      if (main_changed_.wait_until(lock, give_up) == std::cv_status::timeout && main_.empty() &&
          !stop_main_) {
        return kCFRunLoopRunTimedOut;
      }
    }
  }

  void StopMain() {
    std::lock_guard<std::mutex> lock(mu_);
    stop_main_ = true;
    main_changed_.notify_all();
  }

  void WakeMain() {
    std::lock_guard<std::mutex> lock(mu_);
    main_changed_.notify_all();
  }

  void FireNextTimersEarly(int count, int64_t by) {
    std::lock_guard<std::mutex> lock(mu_);
    early_timers_left_ = count;
    early_by_ = by;
  }

  int EarlyFires() {
    std::lock_guard<std::mutex> lock(mu_);
    return early_fires_;
  }

 private:
  Gcd() {
    for (int i = 0; i < kGlobalThreads; ++i) std::thread([this] { ServeGlobalQueue(); }).detach();
    std::thread([this] { ServeTimers(); }).detach();
  }

  void PushLocked(dispatch_queue_t queue, Work work) {
    if (queue->main) {
      main_.push_back(work);
      main_changed_.notify_all();
    } else {
      global_.push_back(work);
      global_changed_.notify_one();
    }
  }

  void ServeGlobalQueue() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      global_changed_.wait(lock, [this] { return !global_.empty(); });
      const Work work = global_.front();
      global_.pop_front();
      lock.unlock();
      work.function(work.context);
      lock.lock();
    }
  }

  void ServeTimers() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      if (timers_.empty()) {
        timers_changed_.wait(lock);
        continue;
      }
      const Timer next = timers_.top();
      const int64_t now = NowNanos();
      if (now < next.fire_at) {
        timers_changed_.wait_for(lock, std::chrono::nanoseconds(next.fire_at - now));
        continue;
      }
      timers_.pop();
      if (now < next.deadline) ++early_fires_;
      PushLocked(next.queue, next.work);
    }
  }

  std::mutex mu_;
  std::condition_variable main_changed_;
  std::condition_variable global_changed_;
  std::condition_variable timers_changed_;
  std::deque<Work> main_;
  std::deque<Work> global_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  uint64_t next_sequence_ = 0;
  bool stop_main_ = false;  // sticky until a run returns, as in CoreFoundation
  int early_timers_left_ = 0;
  int64_t early_by_ = 0;
  int early_fires_ = 0;
};

}  // namespace

extern "C" {

const CFStringRef kCFRunLoopDefaultMode = &default_mode;

dispatch_queue_t dispatch_get_main_queue(void) { return &main_queue; }

dispatch_queue_t dispatch_get_global_queue(intptr_t /*identifier*/, uintptr_t /*flags*/) {
  return &global_queue;
}

void dispatch_async_f(dispatch_queue_t queue, void* context, dispatch_function_t work) {
  Gcd::Get().Async(queue, Work{work, context});
}

void dispatch_after_f(dispatch_time_t when, dispatch_queue_t queue, void* context,
                      dispatch_function_t work) {
  Gcd::Get().After(static_cast<int64_t>(when), queue, Work{work, context});
}

dispatch_time_t dispatch_time(dispatch_time_t when, int64_t delta) {
  const int64_t base = when == DISPATCH_TIME_NOW ? NowNanos() : static_cast<int64_t>(when);
  return static_cast<dispatch_time_t>(base + delta);
}

CFRunLoopRunResult CFRunLoopRunInMode(CFStringRef /*mode*/, CFTimeInterval seconds,
                                      Boolean returnAfterSourceHandled) {
  return Gcd::Get().RunMain(seconds, returnAfterSourceHandled != 0);
}

CFRunLoopRef CFRunLoopGetMain(void) { return &main_run_loop; }
void CFRunLoopStop(CFRunLoopRef /*run_loop*/) { Gcd::Get().StopMain(); }
void CFRunLoopWakeUp(CFRunLoopRef /*run_loop*/) { Gcd::Get().WakeMain(); }

int pthread_main_np(void) { return syscall(SYS_gettid) == getpid() ? 1 : 0; }

}  // extern "C"

namespace stand_in_gcd {

void FireNextTimersEarly(int count, std::chrono::nanoseconds by) {
  Gcd::Get().FireNextTimersEarly(count, by.count());
}

int EarlyFires() { return Gcd::Get().EarlyFires(); }

}  // namespace stand_in_gcd
