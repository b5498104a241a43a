// The Linux half of the PlatformDispatcher (and any POSIX system with
// std::thread). platforms/platform_dispatcher.h documents the behaviour;
// CreateLinuxDispatcher is declared in internal/os_dispatchers.h.
//
// The Linux pieces: `worker_threads` workers run background runnables from a
// work-stealing pool (a bounded local queue per worker, a shared injector for
// runnables from other threads) and fire timers themselves (there is no timer
// thread); the main thread runs the shared main loop, sleeping in epoll so
// that it can also wait for file descriptors (fd_source.h). No pool thread outlives
// `Shutdown()` (or the last reference), except in one case: when the last
// reference is dropped inside a step on a worker, that worker cannot join
// itself, so it is detached and exits as soon as the step returns.
//
// Costs: a runnable scheduled from a worker goes to that worker's own queue
// (no lock); from another thread, to the injector (one short lock). A push
// makes a system call only to wake a parked worker, and only when no worker
// is already searching for work, so a burst wakes workers one at a time. A
// task woken or spawned by the task running on a worker runs next on that
// worker (a tokio-style LIFO slot; see `lifo_slot`). Foreground pushes signal
// the main thread (an eventfd write) only while it sleeps, once per sleep. Timers cost O(log n) to
// arm, fire or cancel. The protocols are written down in internal/worker_pool.cc.
#include <memory>
#include <utility>
#include <vector>

#include "platforms/internal/dispatcher_backend.h"
#include "platforms/internal/os_dispatchers.h"
#include "platforms/linux/internal/epoll_waiter.h"
#include "platforms/linux/internal/worker_pool.h"

namespace scheduler {

namespace {

// Our worker pool, which also fires the timers, and the shared main loop.
// Each is shared with its own threads (see WorkerPool), not with the
// dispatcher, so the dispatcher can die on any thread.
class LinuxPool final : public platform_internal::MainLoopBackend {
 public:
  LinuxPool(const PlatformDispatcherOptions& options, const Scheduler* dispatcher)
      : MainLoopBackend(dispatcher, std::make_shared<linux_internal::EpollWaiter>()) {
    pool_ = dispatcher_internal::WorkerPool::Start({
        .threads = options.worker_threads > 0 ? options.worker_threads : NumCpus(),
        .lifo_slot = options.lifo_slot,
        .foreground = [main_loop = main_loop()](
                          Runnable runnable) { return main_loop->Push(std::move(runnable)); },
        .pin = dispatcher,
        .name = "dispatch",
    });
  }

  Runnable PushBackground(Runnable runnable) override { return pool_->Push(std::move(runnable)); }
  Runnable AddTimer(Instant deadline, Runnable runnable) override {
    return pool_->AddTimer(deadline, std::move(runnable));
  }
  Runnable CancelTimer(internal::TaskCoreBase* task) override { return pool_->CancelTimer(task); }
  size_t armed_timers() const override { return pool_->armed_timers(); }
  int worker_threads() const override { return pool_->size(); }
  bool OnPoolThread() const override { return pool_->IsWorkerThread(); }

  void Stop(std::vector<Runnable>& doomed) override {
    // The pool first: its timers fire into the main loop's queue.
    pool_->Stop(doomed);
    main_loop()->Stop(doomed);
  }
  void Join(std::vector<Runnable>& doomed) override { pool_->Join(doomed); }

 private:
  std::shared_ptr<dispatcher_internal::WorkerPool> pool_;  // set once, in the constructor
};

}  // namespace

std::shared_ptr<PlatformDispatcher> CreateLinuxDispatcher(PlatformDispatcherOptions options,
                                                          std::source_location location) {
  return platform_internal::DispatcherFactory::MakeWith<LinuxPool>("LinuxDispatcher", location,
                                                                   options);
}

}  // namespace scheduler
