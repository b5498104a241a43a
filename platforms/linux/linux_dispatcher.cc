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

// A dispatcher whose last reference went inside a step on one of its own
// threads; deleted right after that step (see Deleter).
thread_local LinuxDispatcher* delete_after_step = nullptr;

void DeleteAfterStep() {
  if (delete_after_step != nullptr) delete std::exchange(delete_after_step, nullptr);
}

}  // namespace

// The last reference shuts the dispatcher down at once (cancelling pending
// work, as documented), but its memory must outlive the step it was dropped
// in when that step runs on one of its own threads: those threads pin it (see
// REACHING THE SCHEDULER in scheduler/internal/task_core.h), so the rest of
// the step may still reach it through a plain pointer.
struct LinuxDispatcher::Deleter {
  void operator()(LinuxDispatcher* dispatcher) const {
    dispatcher->ShutdownNow();
    if (internal::PinnedScheduler() == dispatcher) {
      delete_after_step = dispatcher;
    } else {
      delete dispatcher;
    }
  }
};

std::shared_ptr<LinuxDispatcher> LinuxDispatcher::Create(LinuxDispatcherOptions options,
                                                         std::source_location location) {
  return std::shared_ptr<LinuxDispatcher>(new LinuxDispatcher(options, location), Deleter());
}

LinuxDispatcher::LinuxDispatcher(LinuxDispatcherOptions options, std::source_location location)
    : main_thread_(std::this_thread::get_id()),
      created_at_(location),
      graveyard_(std::make_shared<dispatcher_internal::Graveyard>()),
      main_loop_(std::make_shared<dispatcher_internal::MainLoop>()) {
  pool_ = dispatcher_internal::WorkerPool::Start({
      .threads = options.worker_threads > 0 ? options.worker_threads : NumCpus(),
      .lifo_slot = options.lifo_slot,
      .foreground = [main_loop = main_loop_](
                        Runnable runnable) { return main_loop->Push(std::move(runnable)); },
      .pin = this,
      .after_step = &DeleteAfterStep,
      .name = "dispatch",
  });
}

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
  graveyard_->Bury(pool_->AddTimer(SaturatingAdd(Now(), delay), std::move(runnable)));
}

void LinuxDispatcher::ReclaimCancelledTimer(internal::TaskCoreBase* task) {
  // Dropped here, outside the pool's locks.
  Runnable cancelled = pool_->CancelTimer(task);
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
  if (!loop->Run(this, &DeleteAfterStep)) {
    platform_internal::FailRunMainLoopReentered("LinuxDispatcher", created_at_);
  }
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
  // The pool first: its timers fire into the main loop's queue.
  pool_->Stop(doomed);
  main_loop_->Stop(doomed);
  pool_->Join(doomed);
  // No other thread runs steps now. Destroying the frames may wake or spawn
  // other tasks; every component refuses them and the closed graveyard drops
  // them on the spot, recursively, right here.
  graveyard_->Close();
  doomed.clear();
}

}  // namespace scheduler
