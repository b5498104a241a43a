#include "platforms/linux/linux_dispatcher.h"

#include <memory>
#include <utility>
#include <vector>

#include "platforms/internal/dispatcher_backend.h"
#include "platforms/internal/main_loop.h"
#include "platforms/linux/internal/worker_pool.h"

namespace scheduler {

// Our worker pool, which also fires the timers, and the shared main loop.
// Each is shared with its own threads (see WorkerPool), not with the
// dispatcher, so the dispatcher can die on any thread.
class LinuxDispatcher::Pool final : public PlatformDispatcher::Backend {
 public:
  Pool(const PlatformDispatcherOptions& options, const Scheduler* dispatcher)
      : dispatcher_(dispatcher), main_loop_(std::make_shared<platform_internal::MainLoop>()) {
    pool_ = dispatcher_internal::WorkerPool::Start({
        .threads = options.worker_threads > 0 ? options.worker_threads : NumCpus(),
        .lifo_slot = options.lifo_slot,
        .foreground = [main_loop = main_loop_](
                          Runnable runnable) { return main_loop->Push(std::move(runnable)); },
        .pin = dispatcher,
        .name = "dispatch",
    });
  }

  Runnable PushBackground(Runnable runnable) override { return pool_->Push(std::move(runnable)); }
  Runnable PushForeground(Runnable runnable) override {
    return main_loop_->Push(std::move(runnable));
  }
  Runnable AddTimer(Instant deadline, Runnable runnable) override {
    return pool_->AddTimer(deadline, std::move(runnable));
  }
  Runnable CancelTimer(internal::TaskCoreBase* task) override { return pool_->CancelTimer(task); }
  size_t armed_timers() const override { return pool_->armed_timers(); }
  int worker_threads() const override { return pool_->size(); }

  bool RunMainLoop() override {
    // A step may drop the last reference to the dispatcher (and so to this
    // object): the loop is kept alive by this local.
    std::shared_ptr<platform_internal::MainLoop> loop = main_loop_;
    return loop->Run(dispatcher_);
  }
  void QuitMainLoop() override { main_loop_->Quit(); }
  bool OnPoolThread() const override { return pool_->IsWorkerThread(); }

  void Stop(std::vector<Runnable>& doomed) override {
    // The pool first: its timers fire into the main loop's queue.
    pool_->Stop(doomed);
    main_loop_->Stop(doomed);
  }
  void Join(std::vector<Runnable>& doomed) override { pool_->Join(doomed); }

 private:
  const Scheduler* const dispatcher_;
  const std::shared_ptr<platform_internal::MainLoop> main_loop_;
  std::shared_ptr<dispatcher_internal::WorkerPool> pool_;  // set once, in the constructor
};

std::shared_ptr<LinuxDispatcher> LinuxDispatcher::Create(PlatformDispatcherOptions options,
                                                         std::source_location location) {
  auto* dispatcher = new LinuxDispatcher(location);
  dispatcher->Start(std::make_unique<Pool>(options, dispatcher));
  return std::shared_ptr<LinuxDispatcher>(dispatcher, &PlatformDispatcher::Destroy);
}

}  // namespace scheduler
