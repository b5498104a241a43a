// The PlatformDispatcher on Windows, built on the Windows Thread Pool API.
// Most code gets it through `CreatePlatformDispatcher()`
// (platform_dispatcher.h, which documents the behaviour).
//
// Threads: background runnables run on a private thread pool
// (`CreateThreadpool`, at most `worker_threads` threads) through one work
// object (`SubmitThreadpoolWork`); `ScheduleAfter` deadlines are kept in order
// behind one thread-pool timer (`SetThreadpoolTimer`), whose callback hands
// due runnables to the background queue or the main loop; the thread that
// called `Create` is the main thread and runs foreground runnables, in FIFO
// order, inside `RunMainLoop` (the main loop shared with Linux,
// platforms/internal/main_loop.h). Labels and priorities
// (`TaskMetadata::priority`) are ignored: every runnable goes through the one
// work object at the pool's normal priority. Timers never fire
// before their deadline on `Now()`'s clock (std::chrono::steady_clock); a
// cancelled timer leaves the timer heap at once.
//
// Shutdown (PlatformDispatcher's sequence) stops the queues, hands every
// queued runnable and every pending timer back to be destroyed (which frees
// the task frames), then closes the pool's cleanup group with cancellation
// (`CloseThreadpoolCleanupGroupMembers`): callbacks that have not started
// never run, running ones are waited for. When the last reference is dropped
// inside one of the pool's own callbacks, that wait would be on itself: the
// dispatcher waits for the other callbacks' steps only, and the close runs on
// the process's default thread pool, after the callback returns.
//
// Built only for Windows (mingw-w64 cross build: `--config=windows`).
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

#include "platforms/internal/dispatcher_backend.h"
#include "platforms/internal/os_dispatchers.h"
#include "platforms/windows/internal/thread_pool.h"
#include "platforms/windows/internal/timer_queue.h"
#include "platforms/windows/internal/work_queue.h"

namespace scheduler {

// The Windows Thread Pool behind the dispatcher core. None of the queues
// refers back to the dispatcher except through the pinned pointer of steps
// (the timer queue's sink holds the other queues), so the dispatcher can be
// destroyed on any thread.
namespace {

class WindowsPool final : public platform_internal::MainLoopBackend {
 public:
  WindowsPool(const PlatformDispatcherOptions& options, const Scheduler* dispatcher)
      // The portable waiter until the message pump lands.
      : MainLoopBackend(dispatcher, std::make_shared<platform_internal::ConditionVariableWaiter>()),
        worker_threads_(options.worker_threads > 0 ? options.worker_threads : NumCpus()),
        pool_(windows_internal::ThreadPool::Create(worker_threads_)),
        work_(windows_internal::WorkQueue::Create(pool_, dispatcher)),
        timers_(windows_internal::TimerQueue::Create(
            pool_, [work = work_, main_loop = main_loop()](Runnable runnable) {
              return runnable.metadata().is_foreground() ? main_loop->Push(std::move(runnable))
                                                         : work->Push(std::move(runnable));
            })) {}

  Runnable PushBackground(Runnable runnable) override { return work_->Push(std::move(runnable)); }
  Runnable AddTimer(Instant deadline, Runnable runnable) override {
    return timers_->Add(deadline, std::move(runnable));
  }
  Runnable CancelTimer(internal::TaskCoreBase* task) override { return timers_->Cancel(task); }
  size_t armed_timers() const override { return timers_->size(); }
  int worker_threads() const override { return worker_threads_; }

  bool OnPoolThread() const override { return pool_->IsCallbackThread(); }

  void Stop(std::vector<Runnable>& doomed) override {
    // The work queue before the timers: once the timers are drained (and
    // `armed_timers()` reads 0) no background step can start any more. A
    // timer firing in between finds the work queue stopped, and its runnable
    // is refused like any other.
    work_->Stop(doomed);
    timers_->Stop(doomed);
    main_loop()->Stop(doomed);
  }

  void Join(std::vector<Runnable>&) override {
    if (pool_->IsCallbackThread()) {
      // The last reference went inside one of our callbacks. Closing here
      // would wait for this very callback: wait for the other steps only,
      // and leave the close to the default pool, which also keeps the
      // queues alive for the callbacks still returning on other threads.
      work_->WaitForOtherSteps();
      windows_internal::ThreadPool::CloseAsync(
          pool_, std::make_shared<std::tuple<std::shared_ptr<windows_internal::WorkQueue>,
                                             std::shared_ptr<windows_internal::TimerQueue>,
                                             std::shared_ptr<platform_internal::MainLoop>>>(
                     work_, timers_, main_loop()));
    } else {
      pool_->Close();
    }
  }

 private:
  const int worker_threads_;
  const std::shared_ptr<windows_internal::ThreadPool> pool_;
  const std::shared_ptr<windows_internal::WorkQueue> work_;
  const std::shared_ptr<windows_internal::TimerQueue> timers_;
};

}  // namespace

std::shared_ptr<PlatformDispatcher> CreateWindowsDispatcher(PlatformDispatcherOptions options,
                                                            std::source_location location) {
  return platform_internal::DispatcherFactory::MakeWith<WindowsPool>("WindowsDispatcher", location,
                                                                     options);
}

}  // namespace scheduler
