// Internal: the worker pool's shared queue (tokio's "injector").
#ifndef PLATFORMS_LINUX_INTERNAL_INJECTOR_H_
#define PLATFORMS_LINUX_INTERNAL_INJECTOR_H_

#include <atomic>
#include <cstdint>
#include <mutex>

#include "scheduler/internal/task_core.h"

namespace scheduler::dispatcher_internal {

// A FIFO of queued Runnables (raw cores owning one reference each), chained
// through the cores' own `queue_next()` links, so that an enqueue allocates
// nothing. Runnables from threads outside the pool land here, and workers
// move half of a full local queue here.
//
// Thread-safety: every method may be called from any thread. `size_` is
// readable without the lock as a hint (workers skip the lock when it is 0);
// every decision is taken under the lock.
class Injector {
 public:
  // Appends the chain [first .. last] of `count` tasks. Returns false (the
  // caller keeps the chain) once closed.
  bool PushChain(internal::TaskCoreBase* first, internal::TaskCoreBase* last, uint32_t count);
  bool Push(internal::TaskCoreBase* task) { return PushChain(task, task, 1); }

  // Takes up to `max` tasks from the front, as a chain (oldest first), and
  // sets `*count`. nullptr when empty.
  internal::TaskCoreBase* PopBatch(uint32_t max, uint32_t* count);

  // Refuses later pushes and returns everything queued, as a chain.
  internal::TaskCoreBase* Close();

  uint32_t SizeHint() const { return size_.load(std::memory_order_acquire); }

 private:
  std::mutex mu_;
  internal::TaskCoreBase* head_ = nullptr;  // guarded by mu_
  internal::TaskCoreBase* tail_ = nullptr;  // guarded by mu_
  bool closed_ = false;                     // guarded by mu_
  std::atomic<uint32_t> size_{0};           // written under mu_
};

}  // namespace scheduler::dispatcher_internal

#endif  // PLATFORMS_LINUX_INTERNAL_INJECTOR_H_
