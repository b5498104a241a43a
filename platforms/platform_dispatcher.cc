// The OS-independent half of every platform dispatcher (see
// internal/dispatcher_backend.h for the other half).
#include "platforms/platform_dispatcher.h"

#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "platforms/internal/dispatcher_backend.h"
#include "platforms/internal/dispatcher_misuse.h"
#include "platforms/internal/dispatcher_step.h"
#include "platforms/internal/graveyard.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/real_time_context.h"

namespace scheduler {
namespace {

std::string ThreadName(std::thread::id id) {
  std::ostringstream out;
  out << "thread " << id;
  return out.str();
}

}  // namespace

// What the dispatcher keeps itself, whatever the OS.
class PlatformDispatcher::State {
 public:
  // Refused runnables: kept until the pool has finished, then dropped (the
  // shutdown policy; graveyard.h says why).
  platform_internal::Graveyard graveyard;

  // Timers of `Duration::max()`: never handed to the OS, kept by task so a
  // cancel takes one out at once, dropped by Shutdown. Returns `runnable` if
  // shut down.
  [[nodiscard]] Runnable AddNever(Runnable runnable) {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return runnable;
    internal::TaskCoreBase* task = internal::RunnableAccess::Peek(runnable);
    never_.emplace(task, std::move(runnable));
    return Runnable();
  }
  [[nodiscard]] Runnable TakeNever(internal::TaskCoreBase* task) {
    absl::MutexLock lock(&mu_);
    auto it = never_.find(task);
    if (it == never_.end()) return Runnable();
    Runnable runnable = std::move(it->second);
    never_.erase(it);
    return runnable;
  }
  size_t never_count() const {
    absl::MutexLock lock(&mu_);
    return never_.size();
  }
  // Marks the dispatcher shut down; false if it already was. Moves the
  // never-firing timers to `doomed`.
  bool BeginShutdown(std::vector<Runnable>& doomed) {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return false;
    shut_down_ = true;
    for (auto& [task, runnable] : never_) doomed.push_back(std::move(runnable));
    never_.clear();
    return true;
  }

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<internal::TaskCoreBase*, Runnable> never_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

PlatformDispatcher::PlatformDispatcher(const char* name, std::source_location created_at)
    : Scheduler(std::make_shared<RealTimeContext>()),
      name_(name),
      created_at_(created_at),
      state_(std::make_unique<State>()) {}

PlatformDispatcher::~PlatformDispatcher() { ShutdownNow(); }

std::shared_ptr<PlatformDispatcher> platform_internal::DispatcherFactory::Make(
    const char* name, std::source_location location,
    const std::function<std::unique_ptr<DispatcherBackend>(const Scheduler*)>& make_backend) {
  auto* dispatcher = new PlatformDispatcher(name, location);
  dispatcher->backend_ = make_backend(dispatcher);
  return std::shared_ptr<PlatformDispatcher>(dispatcher, &PlatformDispatcher::Destroy);
}

void PlatformDispatcher::Destroy(PlatformDispatcher* dispatcher) {
  // The pool's threads pin the dispatcher during their steps (dispatcher_step.h), so
  // a step that dropped the last reference may still reach it through a
  // plain pointer: shut down now, free after the step.
  if (internal::PinnedScheduler() == dispatcher) {
    dispatcher->ShutdownNow();
    platform_internal::DeferDeletion(dispatcher);
  } else {
    delete dispatcher;
  }
}

void PlatformDispatcher::Schedule(Runnable runnable) {
  state_->graveyard.Bury(backend_->PushBackground(std::move(runnable)));
}

void PlatformDispatcher::ScheduleForeground(Runnable runnable) {
  state_->graveyard.Bury(backend_->PushForeground(std::move(runnable)));
}

void PlatformDispatcher::ScheduleAfter(Duration delay, Runnable runnable) {
  if (delay <= Duration::zero()) {
    if (runnable.metadata().is_foreground()) {
      ScheduleForeground(std::move(runnable));
    } else {
      Schedule(std::move(runnable));
    }
    return;
  }
  const Instant deadline = SaturatingAdd(Now(), delay);
  if (delay == Duration::max() || deadline == Instant::max()) {
    state_->graveyard.Bury(state_->AddNever(std::move(runnable)));
    return;
  }
  state_->graveyard.Bury(backend_->AddTimer(deadline, std::move(runnable)));
}

void PlatformDispatcher::ReclaimCancelledTimer(internal::TaskCoreBase* task) {
  // Dropped at the end of this function, outside every lock.
  Runnable cancelled = state_->TakeNever(task);
  if (!cancelled) cancelled = backend_->CancelTimer(task);
}

void PlatformDispatcher::RunMainLoop() {
  if (!IsMainThread()) {
    platform_internal::FailRunMainLoopOffMainThread(
        name_, ThreadName(std::this_thread::get_id()),
        ThreadName(static_cast<const RealTimeContext&>(context()).main_thread()), created_at_);
  }
  if (!backend_->RunMainLoop()) platform_internal::FailRunMainLoopReentered(name_, created_at_);
}

void PlatformDispatcher::QuitMainLoop() { backend_->QuitMainLoop(); }

void PlatformDispatcher::Shutdown() {
  platform_internal::CheckShutdownCaller(name_, backend_->OnPoolThread(),
                                         "it would wait for its own step", created_at_);
  ShutdownNow();
}

int PlatformDispatcher::worker_threads() const { return backend_->worker_threads(); }

size_t PlatformDispatcher::armed_timers() const {
  return backend_->armed_timers() + state_->never_count();
}

void PlatformDispatcher::ShutdownNow() {
  std::vector<Runnable> doomed;
  if (!state_->BeginShutdown(doomed)) return;
  backend_->Stop(doomed);
  backend_->Join(doomed);
  // No pool thread runs a step now (except, possibly, the caller's own).
  // Destroying the frames may wake or spawn other tasks; the backend refuses
  // them and the closed graveyard drops them on the spot, recursively, here.
  state_->graveyard.Close();
  doomed.clear();
  // Last, the detached tasks nothing else reaches (suspended on a primitive
  // nobody will signal): no step can start any more, so none of them runs.
  CancelLiveTasks();
}

}  // namespace scheduler
