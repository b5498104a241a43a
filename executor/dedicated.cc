#include "executor/dedicated.h"

#include <deque>
#include <thread>
#include <utility>

#include "absl/synchronization/mutex.h"

namespace scheduler::internal {
namespace {

// The production session's thread and its FIFO of Runnables. Shared by the
// scheduler and the thread, so that the thread can finish its loop after the
// scheduler was destroyed inside one of its steps.
//
// Protocol: `stopped` is set once, by the scheduler's destructor, under `mu`;
// after that, Push refuses (the caller drops the Runnable, which cancels its
// task) and the thread exits when it next looks. Runnables are run and
// dropped outside `mu` (frames may call back into Push).
struct SessionThread {
  absl::Mutex mu;
  std::deque<Runnable> queue ABSL_GUARDED_BY(mu);
  bool stopped ABSL_GUARDED_BY(mu) = false;

  // False (and `runnable` untouched) once stopped.
  bool Push(Runnable& runnable) {
    absl::MutexLock lock(&mu);
    if (stopped) return false;
    queue.push_back(std::move(runnable));
    return true;
  }

  void Loop() {
    for (;;) {
      Runnable next;
      {
        absl::MutexLock lock(&mu);
        mu.Await(absl::Condition(
            +[](SessionThread* t)
                 ABSL_NO_THREAD_SAFETY_ANALYSIS { return t->stopped || !t->queue.empty(); },
            this));
        if (queue.empty()) return;  // stopped and drained
        next = std::move(queue.front());
        queue.pop_front();
      }
      next.Run();
    }
  }
};

}  // namespace

// Routes the session's Runnables: to its own thread in production; under a
// scheduler with test controls, to that scheduler as one more foreground
// session (so the seed decides, and no thread exists).
class DedicatedScheduler final : public Scheduler {
 public:
  DedicatedScheduler(std::shared_ptr<Scheduler> underlying, std::source_location location)
      : Scheduler(underlying->shared_context()),
        underlying_(std::move(underlying)),
        session_(SessionId::New()),
        location_(location) {
    if (underlying_->GetTestControls() != nullptr) return;
    thread_ = std::make_shared<SessionThread>();
    os_thread_ = std::thread([state = thread_] { state->Loop(); });
  }

  ~DedicatedScheduler() override {
    if (thread_ == nullptr) return;
    std::deque<Runnable> doomed;
    {
      absl::MutexLock lock(&thread_->mu);
      thread_->stopped = true;
      doomed.swap(thread_->queue);
    }
    doomed.clear();  // cancels tasks nobody holds a session reference for
    if (os_thread_.get_id() == std::this_thread::get_id()) {
      os_thread_.detach();  // destroyed inside one of its own steps: it exits after it
    } else {
      os_thread_.join();
    }
  }

  void Schedule(Runnable runnable) override { Route(std::move(runnable)); }
  void ScheduleLabeled(Runnable runnable, TaskLabel) override { Route(std::move(runnable)); }
  void ScheduleForeground(Runnable runnable) override { Route(std::move(runnable)); }

  void ScheduleAfter(Duration delay, Runnable runnable) override {
    if (runnable.metadata().session != session_) {
      // Not a step of ours (a frameless timer core): the underlying
      // scheduler runs it where its metadata says.
      underlying_->ScheduleAfter(delay, std::move(runnable));
      return;
    }
    // A step of the session, due later: a helper task on the underlying
    // scheduler waits, then hands it over. Cancelling the helper (shutdown)
    // drops the Runnable, which cancels its task.
    std::weak_ptr<Scheduler> self = weak_self_;
    Spawn(
        underlying_,
        [delay, self, underlying = underlying_,
         runnable = std::move(runnable)]() mutable -> Future<void> {
          co_await Timer(underlying, delay);
          if (std::shared_ptr<Scheduler> session = self.lock()) {
            session->ScheduleForeground(std::move(runnable));
          }
        },
        location_)
        .Detach();
  }

  const std::shared_ptr<Scheduler>& underlying() const { return underlying_; }
  SessionId session() const { return session_; }
  void set_weak_self(std::weak_ptr<Scheduler> self) { weak_self_ = std::move(self); }

 private:
  void Route(Runnable runnable) {
    if (thread_ != nullptr) {
      if (!thread_->Push(runnable)) return;  // refused: dropped here, unlocked
      return;
    }
    if (runnable.metadata().session.has_value()) {
      underlying_->ScheduleForeground(std::move(runnable));
    } else {
      underlying_->Schedule(std::move(runnable));
    }
  }

  const std::shared_ptr<Scheduler> underlying_;
  const SessionId session_;
  const std::source_location location_;
  std::weak_ptr<Scheduler> weak_self_;
  std::shared_ptr<SessionThread> thread_;  // production only
  std::thread os_thread_;
};

std::shared_ptr<DedicatedScheduler> MakeDedicatedScheduler(
    const std::shared_ptr<Scheduler>& underlying, std::source_location location) {
  auto dedicated = std::make_shared<DedicatedScheduler>(underlying, location);
  dedicated->set_weak_self(dedicated);
  return dedicated;
}

std::shared_ptr<Scheduler> AsScheduler(const std::shared_ptr<DedicatedScheduler>& dedicated) {
  return dedicated;
}

const std::shared_ptr<Scheduler>& Underlying(const DedicatedScheduler& dedicated) {
  return dedicated.underlying();
}

SessionId SessionOf(const DedicatedScheduler& dedicated) { return dedicated.session(); }

}  // namespace scheduler::internal
