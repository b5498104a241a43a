// The floor: the least any coroutine scheduler can do.
//
// A bare coroutine type and a single-threaded FIFO of coroutine handles, with
// no cancellation, no results, no wake-up protocol and no thread hand-off.
// Benchmarks run the same workloads on it to show how far each real runtime
// is from "allocate a frame and resume it from a queue".
#ifndef SCHEDULER_BENCHMARKS_FLOOR_RUNTIME_H_
#define SCHEDULER_BENCHMARKS_FLOOR_RUNTIME_H_

#include <coroutine>
#include <deque>
#include <exception>

namespace scheduler::bench {

class FloorQueue {
 public:
  void Push(std::coroutine_handle<> h) { queue_.push_back(h); }
  // Resumes the oldest queued coroutine, if any.
  void RunOne() {
    if (queue_.empty()) return;
    std::coroutine_handle<> h = queue_.front();
    queue_.pop_front();
    h.resume();
  }
  // Resumes queued coroutines until none is left.
  void Drain() {
    while (!queue_.empty()) {
      std::coroutine_handle<> h = queue_.front();
      queue_.pop_front();
      h.resume();
    }
  }

 private:
  std::deque<std::coroutine_handle<>> queue_;
};

// A fire-and-forget coroutine that starts suspended and frees itself when done.
struct FloorTask {
  struct promise_type {
    FloorTask get_return_object() {
      return FloorTask{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };
  std::coroutine_handle<promise_type> handle;
};

// `co_await FloorYield{queue}` requeues the coroutine behind the others.
struct FloorYield {
  FloorQueue* queue;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const { queue->Push(h); }
  void await_resume() const noexcept {}
};

}  // namespace scheduler::bench

#endif  // SCHEDULER_BENCHMARKS_FLOOR_RUNTIME_H_
