#include "platforms/windows/windows_dispatcher.h"

#include <memory>
#include <tuple>
#include <utility>
#include <vector>

#include "platforms/internal/dispatcher_backend.h"
#include "platforms/internal/main_loop.h"
#include "platforms/windows/internal/thread_pool.h"
#include "platforms/windows/internal/timer_queue.h"
#include "platforms/windows/internal/work_queue.h"

namespace scheduler {

// The Windows Thread Pool behind the dispatcher core. None of the queues
// refers back to the dispatcher except through the pinned pointer of steps
// (the timer queue's sink holds the other queues), so the dispatcher can be
// destroyed on any thread.
class WindowsDispatcher::Pool final : public PlatformDispatcher::Backend {
 public:
  Pool(const PlatformDispatcherOptions& options, const Scheduler* dispatcher)
      : dispatcher_(dispatcher),
        worker_threads_(options.worker_threads > 0 ? options.worker_threads : NumCpus()),
        pool_(windows_internal::ThreadPool::Create(worker_threads_)),
        work_(windows_internal::WorkQueue::Create(pool_, dispatcher)),
        main_loop_(std::make_shared<platform_internal::MainLoop>()),
        timers_(windows_internal::TimerQueue::Create(
            pool_, [work = work_, main_loop = main_loop_](Runnable runnable) {
              return runnable.metadata().is_foreground() ? main_loop->Push(std::move(runnable))
                                                         : work->Push(std::move(runnable));
            })) {}

  Runnable PushBackground(Runnable runnable) override { return work_->Push(std::move(runnable)); }
  Runnable PushForeground(Runnable runnable) override {
    return main_loop_->Push(std::move(runnable));
  }
  Runnable AddTimer(Instant deadline, Runnable runnable) override {
    return timers_->Add(deadline, std::move(runnable));
  }
  Runnable CancelTimer(internal::TaskCoreBase* task) override { return timers_->Cancel(task); }
  size_t armed_timers() const override { return timers_->size(); }
  int worker_threads() const override { return worker_threads_; }

  bool RunMainLoop() override {
    // A step may drop the last reference to the dispatcher (and so to this
    // object): the loop is kept alive by this local.
    std::shared_ptr<platform_internal::MainLoop> loop = main_loop_;
    return loop->Run(dispatcher_);
  }
  void QuitMainLoop() override { main_loop_->Quit(); }
  bool OnPoolThread() const override { return pool_->IsCallbackThread(); }

  void Stop(std::vector<Runnable>& doomed) override {
    // Timers first, so that none fires into the queues after they are drained.
    timers_->Stop(doomed);
    work_->Stop(doomed);
    main_loop_->Stop(doomed);
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
                     work_, timers_, main_loop_));
    } else {
      pool_->Close();
    }
  }

 private:
  const Scheduler* const dispatcher_;
  const int worker_threads_;
  const std::shared_ptr<windows_internal::ThreadPool> pool_;
  const std::shared_ptr<windows_internal::WorkQueue> work_;
  const std::shared_ptr<platform_internal::MainLoop> main_loop_;
  const std::shared_ptr<windows_internal::TimerQueue> timers_;
};

std::shared_ptr<WindowsDispatcher> WindowsDispatcher::Create(PlatformDispatcherOptions options,
                                                             std::source_location location) {
  auto* dispatcher = new WindowsDispatcher(location);
  dispatcher->Start(std::make_unique<Pool>(options, dispatcher));
  return std::shared_ptr<WindowsDispatcher>(dispatcher, &PlatformDispatcher::Destroy);
}

}  // namespace scheduler
