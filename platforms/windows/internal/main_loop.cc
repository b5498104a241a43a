#include "platforms/windows/internal/main_loop.h"

#include <utility>

#include "platforms/internal/run_step.h"

namespace scheduler::windows_internal {

Runnable MainLoop::Push(Runnable runnable) {
  {
    LockGuard guard(lock_);
    if (stopped_) return runnable;
    queue_.push_back(std::move(runnable));
  }
  changed_.Signal();  // Only the loop's thread ever waits.
  return Runnable();
}

bool MainLoop::Run() {
  {
    LockGuard guard(lock_);
    if (running_) return false;
    running_ = true;
  }
  while (true) {
    Runnable next;
    {
      LockGuard guard(lock_);
      while (!quit_ && !stopped_ && queue_.empty()) changed_.Wait(lock_);
      if (quit_ || stopped_) {
        quit_ = false;
        running_ = false;
        return true;
      }
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    platform_internal::RunStep(std::move(next));
  }
}

void MainLoop::Quit() {
  {
    LockGuard guard(lock_);
    quit_ = true;
  }
  changed_.Signal();
}

void MainLoop::Stop(std::vector<Runnable>& doomed) {
  {
    LockGuard guard(lock_);
    stopped_ = true;
    for (Runnable& runnable : queue_) doomed.push_back(std::move(runnable));
    queue_.clear();
  }
  changed_.Signal();
}

}  // namespace scheduler::windows_internal
