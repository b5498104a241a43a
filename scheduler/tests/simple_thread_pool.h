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

#include "scheduler/parker.h"
#include "scheduler/scheduler.h"

namespace scheduler {

class SimpleThreadPool final : public Scheduler {
 public:
  static std::shared_ptr<SimpleThreadPool> Create(int threads) {
    auto pool = std::shared_ptr<SimpleThreadPool>(new SimpleThreadPool());
    for (int i = 0; i < threads; ++i) pool->workers_.emplace_back([p = pool.get()] { p->Work(); });
    return pool;
  }
  ~SimpleThreadPool() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : workers_) {
      if (t.get_id() == std::this_thread::get_id()) {
        t.detach();  // the last reference died on a worker
      } else {
        t.join();
      }
    }
    std::deque<Runnable> doomed;
    {
      std::lock_guard<std::mutex> lock(mu_);
      doomed.swap(queue_);
    }
  }

  void Schedule(Runnable runnable) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(runnable));
    }
    cv_.notify_one();
  }
  void ScheduleAfter(Duration, Runnable runnable) override { Schedule(std::move(runnable)); }
  bool Park(std::optional<Duration> timeout) override { return ThreadParker().Park(timeout); }
  Unparker GetUnparker() override { return ThreadParker().GetUnparker(); }
  bool IsMainThread() const override { return false; }
  Instant Now() const override { return std::chrono::steady_clock::now(); }

 private:
  SimpleThreadPool() = default;

  static Parker& ThreadParker() {
    thread_local Parker parker;
    return parker;
  }

  void Work() {
    while (true) {
      Runnable runnable;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (stop_) return;
        runnable = std::move(queue_.front());
        queue_.pop_front();
      }
      runnable.Run();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Runnable> queue_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace scheduler

#endif  // SCHEDULER_TESTS_SIMPLE_THREAD_POOL_H_
