#include "platforms/tests/platform_dispatcher_harness.h"

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "scheduler/task_metadata.h"
#include "scheduler/unhandled_exception.h"

namespace scheduler {
namespace {

// Plain std:: synchronization (no Abseil), so the harness also builds with
// toolchains that only have the standard library, like the mingw-w64 one.
class PlatformDispatcherHarness final : public SchedulerHarness {
 public:
  explicit PlatformDispatcherHarness(std::shared_ptr<PlatformDispatcher> dispatcher)
      : dispatcher_(std::move(dispatcher)) {}

  ~PlatformDispatcherHarness() override {
    Shutdown();
    if (captured_) SetUnhandledExceptionHandler(std::move(previous_handler_));
  }

  std::shared_ptr<Scheduler> scheduler() const override { return dispatcher_; }
  bool runs_background_on_other_threads() const override { return true; }
  bool shutdown_cancels_detached_tasks() const override { return true; }

  bool DriveUntilDone(Duration limit) override {
    // done_ is not cleared here but when a drive ends: a body whose steps
    // run off this thread (a dedicated session) may finish, and quit the
    // loop, before the loop even starts; that quit is kept for RunMainLoop.
    {
      std::lock_guard<std::mutex> lock(mu_);
      driving_ = true;
    }
    // The watchdog waits on a condition variable, not a sleep: it returns as
    // soon as the body is done, and only quits the loop on a real timeout.
    std::thread watchdog([this, limit] {
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_for(lock, limit, [this] { return done_ || !driving_; })) {
        dispatcher_->QuitMainLoop();
      }
    });
    dispatcher_->RunMainLoop();
    bool done;
    {
      std::lock_guard<std::mutex> lock(mu_);
      driving_ = false;
      done = done_;
      done_ = false;
    }
    cv_.notify_all();
    watchdog.join();
    return done;
  }

  void Done() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    dispatcher_->QuitMainLoop();
  }

  void Shutdown() override { dispatcher_->Shutdown(); }

  void CaptureUnhandledExceptions(std::function<void(const std::string&)> sink) override {
    UnhandledExceptionHandler previous = SetUnhandledExceptionHandler(
        [sink = std::move(sink)](const TaskMetadata& task, std::exception_ptr error) {
          sink("Unhandled exception in detached " + DescribeTask(task) + ": " +
               DescribeException(error));
        });
    if (!captured_) previous_handler_ = std::move(previous);
    captured_ = true;
  }

 private:
  const std::shared_ptr<PlatformDispatcher> dispatcher_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;     // guarded by mu_
  bool driving_ = false;  // guarded by mu_
  bool captured_ = false;
  UnhandledExceptionHandler previous_handler_;
};

}  // namespace

std::unique_ptr<SchedulerHarness> MakePlatformDispatcherHarness(
    std::shared_ptr<PlatformDispatcher> dispatcher) {
  return std::make_unique<PlatformDispatcherHarness>(std::move(dispatcher));
}

}  // namespace scheduler
