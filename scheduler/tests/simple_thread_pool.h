// A deliberately plain multi-threaded Scheduler for the core's concurrency
// tests: N workers and one locked queue. The production dispatchers live in
// //platforms; this one exists so that //scheduler's tests do not depend on
// them, and so that TSan sees the task protocol race against real threads.
#ifndef SCHEDULER_TESTS_SIMPLE_THREAD_POOL_H_
#define SCHEDULER_TESTS_SIMPLE_THREAD_POOL_H_

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "scheduler/real_time_context.h"
#include "scheduler/scheduler.h"

namespace scheduler {

class SimpleThreadPool final : public Scheduler {
 public:
  static std::shared_ptr<SimpleThreadPool> Create(int threads) {
    auto pool = std::shared_ptr<SimpleThreadPool>(new SimpleThreadPool());
    for (int i = 0; i < threads; ++i) {
      pool->workers_.emplace_back([state = pool->state_] { Work(*state); });
    }
    return pool;
  }
  // The last reference may be dropped by a task on a worker (tasks lock their
  // weak_ptr to the scheduler while scheduling). Workers therefore own the
  // queue state jointly, and a worker never joins itself.
  ~SimpleThreadPool() override {
    std::deque<Runnable> doomed;
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      state_->stop = true;
      doomed.swap(state_->queue);
    }
    state_->cv.notify_all();
    for (std::thread& t : workers_) {
      if (t.get_id() == std::this_thread::get_id()) {
        t.detach();
      } else {
        t.join();
      }
    }
  }

  void Schedule(Runnable runnable) override {
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      if (state_->stop) return;  // dropped after the lock: cancels the task
      state_->queue.push_back(std::move(runnable));
    }
    state_->cv.notify_one();
  }
  void ScheduleAfter(Duration, Runnable runnable) override { Schedule(std::move(runnable)); }

  // For pools created with no workers: takes the oldest queued Runnable, so a
  // test can run steps on its own thread.
  Runnable TakeForTest() {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->queue.empty()) return Runnable();
    Runnable r = std::move(state_->queue.front());
    state_->queue.pop_front();
    return r;
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Runnable> queue;
    bool stop = false;
  };

  // No main thread: foreground work has nowhere to go here.
  SimpleThreadPool() : Scheduler(std::make_shared<RealTimeContext>(std::thread::id())) {}

  static void Work(State& state) {
    while (true) {
      Runnable runnable;
      {
        std::unique_lock<std::mutex> lock(state.mu);
        state.cv.wait(lock, [&] { return state.stop || !state.queue.empty(); });
        if (state.stop) return;
        runnable = std::move(state.queue.front());
        state.queue.pop_front();
      }
      runnable.Run();
    }
  }

  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::vector<std::thread> workers_;
};

}  // namespace scheduler

#endif  // SCHEDULER_TESTS_SIMPLE_THREAD_POOL_H_
