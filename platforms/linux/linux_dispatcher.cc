#include "platforms/linux/linux_dispatcher.h"

#include <chrono>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "platforms/internal/dispatcher_misuse.h"
#include "scheduler/current_task.h"
#include "scheduler/internal/task_core.h"

namespace scheduler {
namespace {

Parker& ThreadParker() {
  thread_local Parker parker;
  return parker;
}

std::string ThreadName(std::thread::id id) {
  std::ostringstream out;
  out << "thread " << id;
  return out.str();
}

}  // namespace

std::shared_ptr<LinuxDispatcher> LinuxDispatcher::Create(LinuxDispatcherOptions options,
                                                         std::source_location location) {
  return std::shared_ptr<LinuxDispatcher>(new LinuxDispatcher(options, location));
}

LinuxDispatcher::LinuxDispatcher(LinuxDispatcherOptions options, std::source_location location)
    : main_thread_(std::this_thread::get_id()),
      created_at_(location),
      graveyard_(std::make_shared<dispatcher_internal::Graveyard>()),
      pool_(dispatcher_internal::WorkerPool::Start(
          options.worker_threads > 0 ? options.worker_threads : NumCpus(), options.lifo_slot,
          "dispatch")),
      main_loop_(std::make_shared<dispatcher_internal::MainLoop>()),
      timers_(dispatcher_internal::TimerThread::Start(
          [pool = pool_, main_loop = main_loop_, graveyard = graveyard_](Runnable runnable) {
            graveyard->Bury(runnable.metadata().is_foreground()
                                ? main_loop->Push(std::move(runnable))
                                : pool->Push(std::move(runnable)));
            return Runnable();
          },
          "dispatch-timer")) {}

LinuxDispatcher::~LinuxDispatcher() { ShutdownNow(); }

// A runnable refused because of Shutdown goes to the graveyard: kept until
// the workers are joined, dropped at once afterwards (see graveyard.h).

void LinuxDispatcher::Schedule(Runnable runnable) {
  graveyard_->Bury(pool_->Push(std::move(runnable)));
}

void LinuxDispatcher::ScheduleForeground(Runnable runnable) {
  graveyard_->Bury(main_loop_->Push(std::move(runnable)));
}

void LinuxDispatcher::ScheduleAfter(Duration delay, Runnable runnable) {
  if (delay <= Duration::zero()) {
    if (runnable.metadata().is_foreground()) {
      ScheduleForeground(std::move(runnable));
    } else {
      Schedule(std::move(runnable));
    }
    return;
  }
  graveyard_->Bury(timers_->Add(SaturatingAdd(Now(), delay), std::move(runnable)));
}

bool LinuxDispatcher::Park(std::optional<Duration> timeout) { return ThreadParker().Park(timeout); }

Unparker LinuxDispatcher::GetUnparker() { return ThreadParker().GetUnparker(); }

bool LinuxDispatcher::IsMainThread() const { return std::this_thread::get_id() == main_thread_; }

Instant LinuxDispatcher::Now() const { return std::chrono::steady_clock::now(); }

void LinuxDispatcher::RunMainLoop() {
  if (!IsMainThread()) {
    platform_internal::FailRunMainLoopOffMainThread("LinuxDispatcher",
                                                    ThreadName(std::this_thread::get_id()),
                                                    ThreadName(main_thread_), created_at_);
  }
  // A step may drop the last reference to this dispatcher; the loop state is
  // kept alive by this local, and nothing below touches `this` afterwards.
  std::shared_ptr<dispatcher_internal::MainLoop> loop = main_loop_;
  if (!loop->Run()) platform_internal::FailRunMainLoopReentered("LinuxDispatcher", created_at_);
}

void LinuxDispatcher::QuitMainLoop() { main_loop_->Quit(); }

void LinuxDispatcher::Shutdown() {
  platform_internal::CheckShutdownCaller("LinuxDispatcher", pool_->IsWorkerThread(),
                                         "it would have to join itself", created_at_);
  ShutdownNow();
}

void LinuxDispatcher::ShutdownNow() {
  {
    absl::MutexLock lock(&shutdown_mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  std::vector<Runnable> doomed;
  // Timers first, so that none fires into the queues after they are drained.
  timers_->Stop(doomed);
  pool_->Stop(doomed);
  main_loop_->Stop(doomed);
  timers_->Join();
  pool_->Join();
  // No other thread runs steps now. Destroying the frames may wake or spawn
  // other tasks; every component refuses them and the closed graveyard drops
  // them on the spot, recursively, right here.
  graveyard_->Close();
  doomed.clear();
}

}  // namespace scheduler
