#include "scheduler/internal/scheduler_anchor.h"

#include "scheduler/internal/task_core.h"
#include "scheduler/internal/thread_exit_safe.h"
#include "scheduler/scheduler.h"

namespace scheduler::internal {
namespace {

// References a thread takes from the shared count at a time. A thread holds
// between 0 and 2 * kBatch credits, so at most that many references of one
// anchor sit idle per thread.
constexpr int64_t kBatch = 256;

// mingw-w64's emulated TLS may release thread_local storage before the
// destructors of thread_local objects run (see frame_allocator.cc); there the
// credits are off and every reference is a shared-count operation.
#if defined(__MINGW32__)
constexpr bool kCreditsEnabled = false;
#else
constexpr bool kCreditsEnabled = true;
#endif

std::atomic<int64_t> live_anchors{0};

}  // namespace

// One thread's credits: references to `anchor_` it has taken from the shared
// count and not handed to a task.
class AnchorCredits {
 public:
  AnchorCredits() = default;
  ~AnchorCredits() { Flush(); }

  // Null during thread exit once this thread's credits are gone (see
  // thread_exit_safe.h): references then go straight to the shared count.
  static AnchorCredits* Get() {
    if (!kCreditsEnabled) return nullptr;
    return ThreadExitSafe<AnchorCredits>::Get();
  }

  // The caller knows `anchor` is alive (it holds a reference, or its scheduler
  // is alive), so adding to its shared count is safe.
  void Acquire(SchedulerAnchor* anchor) {
    if (anchor_ != anchor) {
      Flush();
      anchor_ = anchor;
    }
    if (credits_ == 0) {
      anchor->AddShared(kBatch);
      credits_ = kBatch;
    }
    --credits_;
  }

  // Returns false if this thread does not cache `anchor`.
  bool Release(SchedulerAnchor* anchor) {
    if (anchor_ != anchor) return false;
    if (++credits_ > 2 * kBatch) {
      // Never the last references: this thread keeps kBatch more.
      credits_ -= kBatch;
      anchor->SubShared(kBatch);
    }
    return true;
  }

 private:
  void Flush() {
    SchedulerAnchor* anchor = anchor_;
    const int64_t credits = credits_;
    anchor_ = nullptr;
    credits_ = 0;
    if (anchor != nullptr && credits != 0) anchor->SubShared(credits);
  }

  SchedulerAnchor* anchor_ = nullptr;
  int64_t credits_ = 0;
};

SchedulerAnchor::SchedulerAnchor(const std::shared_ptr<Scheduler>& scheduler)
    : weak_(scheduler), raw_(scheduler.get()), refs_(1) {
  live_anchors.fetch_add(1, std::memory_order_relaxed);
}

SchedulerAnchor::~SchedulerAnchor() {
#ifndef NDEBUG
  // Every registered task erases itself before it drops its anchor reference
  // (LIVE TASKS in task_core.h).
  for (LiveTaskShard& shard : live_tasks_) {
    absl::MutexLock lock(&shard.mu);
    if (!shard.tasks.empty())
      FatalError("an anchor freed while its live-task registry lists tasks");
  }
#endif
  live_anchors.fetch_sub(1, std::memory_order_relaxed);
}

int64_t SchedulerAnchor::LiveForTesting() { return live_anchors.load(std::memory_order_relaxed); }

SchedulerAnchor* SchedulerAnchor::AcquireFor(const std::shared_ptr<Scheduler>& scheduler) {
  SchedulerAnchor* anchor = scheduler->anchor_.load(std::memory_order_acquire);
  if (anchor == nullptr) {
    // The reference of `refs_(1)` is the scheduler's own, dropped by
    // ~Scheduler; the caller's strong reference keeps that from racing.
    auto* fresh = new SchedulerAnchor(scheduler);
    if (scheduler->anchor_.compare_exchange_strong(anchor, fresh, std::memory_order_acq_rel,
                                                   std::memory_order_acquire)) {
      anchor = fresh;
    } else {
      delete fresh;
    }
  }
  anchor->Acquire();
  return anchor;
}

void SchedulerAnchor::Acquire() {
  if (AnchorCredits* credits = AnchorCredits::Get()) {
    credits->Acquire(this);
  } else {
    AddShared(1);
  }
}

void SchedulerAnchor::Release() {
  if (AnchorCredits* credits = AnchorCredits::Get()) {
    if (credits->Release(this)) return;
  }
  SubShared(1);
}

void SchedulerAnchor::SubShared(int64_t n) {
  if (refs_.fetch_sub(n, std::memory_order_acq_rel) == n) delete this;
}

void SchedulerAnchor::ReleaseFromScheduler(SchedulerAnchor* anchor) { anchor->SubShared(1); }

}  // namespace scheduler::internal
