#include "platforms/windows/windows_dispatcher.h"

#include <chrono>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "platforms/internal/dispatcher_misuse.h"
#include "platforms/windows/internal/main_loop.h"
#include "platforms/windows/internal/thread_pool.h"
#include "platforms/windows/internal/timer_queue.h"
#include "platforms/windows/internal/win32.h"
#include "platforms/windows/internal/work_queue.h"
#include "scheduler/current_task.h"
#include "scheduler/future.h"
#include "scheduler/parker.h"

namespace scheduler {
namespace {

Parker& ThreadParker() {
  thread_local Parker parker;
  return parker;
}

std::string ThreadName(uint32_t id) { return "thread " + std::to_string(id); }

}  // namespace

std::shared_ptr<WindowsDispatcher> WindowsDispatcher::Create(PlatformDispatcherOptions options,
                                                             std::source_location location) {
  return std::shared_ptr<WindowsDispatcher>(new WindowsDispatcher(options, location));
}

WindowsDispatcher::WindowsDispatcher(PlatformDispatcherOptions options,
                                     std::source_location location)
    : main_thread_(GetCurrentThreadId()),
      created_at_(location),
      worker_threads_(options.worker_threads > 0 ? options.worker_threads : NumCpus()),
      pool_(windows_internal::ThreadPool::Create(worker_threads_)),
      work_(windows_internal::WorkQueue::Create(pool_)),
      main_loop_(std::make_shared<windows_internal::MainLoop>()),
      timers_(windows_internal::TimerQueue::Create(
          pool_, [work = work_, main_loop = main_loop_](Runnable runnable) {
            return runnable.metadata().is_foreground() ? main_loop->Push(std::move(runnable))
                                                       : work->Push(std::move(runnable));
          })) {}

WindowsDispatcher::~WindowsDispatcher() { ShutdownNow(); }

void WindowsDispatcher::Schedule(Runnable runnable) {
  // A refused runnable (after Shutdown) is dropped here, outside every lock.
  Runnable refused = work_->Push(std::move(runnable));
}

void WindowsDispatcher::ScheduleForeground(Runnable runnable) {
  Runnable refused = main_loop_->Push(std::move(runnable));
}

void WindowsDispatcher::ScheduleAfter(Duration delay, Runnable runnable) {
  if (delay <= Duration::zero()) {
    if (runnable.metadata().is_foreground()) {
      ScheduleForeground(std::move(runnable));
    } else {
      Schedule(std::move(runnable));
    }
    return;
  }
  const Instant deadline = delay == Duration::max() ? Instant::max() : SaturatingAdd(Now(), delay);
  Runnable refused = timers_->Add(deadline, std::move(runnable));
}

bool WindowsDispatcher::Park(std::optional<Duration> timeout) {
  return ThreadParker().Park(timeout);
}

Unparker WindowsDispatcher::GetUnparker() { return ThreadParker().GetUnparker(); }

bool WindowsDispatcher::IsMainThread() const { return GetCurrentThreadId() == main_thread_; }

Instant WindowsDispatcher::Now() const { return std::chrono::steady_clock::now(); }

void WindowsDispatcher::RunMainLoop() {
  if (!IsMainThread()) {
    platform_internal::FailRunMainLoopOffMainThread("WindowsDispatcher",
                                                    ThreadName(GetCurrentThreadId()),
                                                    ThreadName(main_thread_), created_at_);
  }
  // A step may drop the last reference to this dispatcher: the loop is kept
  // alive by this local, and nothing below touches `this` afterwards.
  std::shared_ptr<windows_internal::MainLoop> loop = main_loop_;
  if (!loop->Run()) platform_internal::FailRunMainLoopReentered("WindowsDispatcher", created_at_);
}

void WindowsDispatcher::QuitMainLoop() { main_loop_->Quit(); }

void WindowsDispatcher::Shutdown() {
  platform_internal::CheckShutdownCaller("WindowsDispatcher", pool_->IsCallbackThread(),
                                         "it would wait for its own callback", created_at_);
  ShutdownNow();
}

void WindowsDispatcher::ShutdownNow() {
  if (shut_down_.exchange(true)) return;
  std::vector<Runnable> doomed;
  // Timers first, so that none fires into the queues after they are drained.
  timers_->Stop(doomed);
  work_->Stop(doomed);
  main_loop_->Stop(doomed);
  if (pool_->IsCallbackThread()) {
    // The last reference went inside one of our callbacks (a task step on a
    // pool thread). Closing here would wait for this very callback; the close
    // is left to the default pool, which also keeps the queues alive for the
    // callbacks still running on other threads.
    windows_internal::ThreadPool::CloseAsync(
        pool_, std::make_shared<std::tuple<std::shared_ptr<windows_internal::WorkQueue>,
                                           std::shared_ptr<windows_internal::TimerQueue>,
                                           std::shared_ptr<windows_internal::MainLoop>>>(
                   work_, timers_, main_loop_));
  } else {
    pool_->Close();
  }
  // Destroying the frames may wake or spawn other tasks; every queue now
  // refuses them, so they are dropped on the spot, recursively, right here.
  doomed.clear();
}

}  // namespace scheduler
