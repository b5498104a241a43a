// Internal: the Linux main loop's waiter (platforms/internal/main_loop_waiter.h):
// epoll, with an eventfd for wake-ups, and a registry of file-descriptor
// interests that platforms/linux/fd_source.h exposes as FdWatch and
// Readable/Writable.
//
// Timers need nothing here: the worker pool fires them, and a foreground
// timer reaches the main thread as a push (which wakes the loop).
//
// REGISTRY. epoll accepts one registration per descriptor, while a program may
// have several interests in one (a watch, a task reading and another writing
// a socket). So interests are grouped by descriptor, and the descriptor is
// registered (level-triggered) for the union of what its interests ask for.
// On readiness, under the registry's mutex, every interest whose events match
// is taken: a task's (one-shot) is removed and its Waker woken after the
// mutex is released; a watch's (persistent) callback is called after the
// mutex is released, unless its watch was removed meanwhile (watches are
// removed on the main thread only, so the check is exact). An interest that
// was removed never sees a readiness reported before its removal: readiness
// is looked up in the registry at dispatch time, not carried in the kernel's
// event, so a cancelled wait is never resumed by a stale event.
//
// WAKE-UPS. `Wake` writes 1 to an eventfd registered edge-triggered; `Sleep`
// and `Poll` never read it. An edge-triggered registration reports each write
// (each one queues the descriptor as ready again, whatever the counter holds),
// so a wake-up costs the waker one write and the main thread nothing beyond
// the epoll_wait it returns from: no read to drain a level-triggered
// descriptor on every round trip. A write that lands while the main thread is
// awake leaves one report pending, which ends its next sleep at once (a
// spurious wake-up, which MainLoopWaiter allows); MainLoop writes at most once
// per sleep, so reports never pile up. The counter only grows; should it ever
// fill (2^64 - 2 writes), `Wake` empties it and writes again.
//
// Thread-safety: `Add` and `Remove` of task interests from any thread (a task
// may be cancelled, and its frame destroyed, on any thread); watches only on
// the main thread; `Sleep` and `Poll` on the main thread; `Wake` and `Stop`
// from any thread.
#ifndef PLATFORMS_LINUX_INTERNAL_EPOLL_WAITER_H_
#define PLATFORMS_LINUX_INTERNAL_EPOLL_WAITER_H_

#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <source_location>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "platforms/internal/main_loop_waiter.h"
#include "platforms/linux/fd_events.h"
#include "scheduler/waker.h"

namespace scheduler::linux_internal {

// A watch's callback, shared with the dispatch that calls it so that it stays
// alive while it runs, even if it removes its own watch.
struct WatchCallback {
  std::function<void(FdEvents)> on_ready;
  bool removed = false;  // main thread only
};

// One interest in a descriptor. Owned by its registrant (an awaiter in a task
// frame, or a watch), which keeps it at a fixed address while it is added.
struct FdInterest {
  int fd = -1;
  FdEvents events = FdEvents::kNone;  // kReadable and/or kWritable
  // Set for a watch, empty for a task's wait.
  std::shared_ptr<WatchCallback> watch;
  // A task's wait: its Waker, taken when the wait is over, and what was
  // reported. Guarded by the waiter's mutex while added.
  Waker waker;
  FdEvents reported = FdEvents::kNone;
  bool added = false;  // guarded by the waiter's mutex
};

class EpollWaiter final : public platform_internal::MainLoopWaiter {
 public:
  // Aborts if the kernel refuses an epoll instance or an eventfd.
  EpollWaiter();
  ~EpollWaiter() override;
  EpollWaiter(const EpollWaiter&) = delete;
  EpollWaiter& operator=(const EpollWaiter&) = delete;

  // Registers `interest` (fd and events set). A task's wait added after
  // `Stop` is not registered: its task is woken at once, so the stopped
  // dispatcher refuses and cancels it. Aborts, naming `location`, if epoll
  // refuses the descriptor (not open, or a kind epoll cannot wait for, such
  // as a regular file).
  void Add(FdInterest* interest, std::source_location location);

  // Unregisters `interest` if it is added; idempotent. Wakers are dropped
  // outside the mutex.
  void Remove(FdInterest* interest);

  // --- MainLoopWaiter ---
  void Sleep(std::unique_lock<std::mutex>& lock, const Scheduler* dispatcher) override;
  void Poll(const Scheduler* dispatcher) override;
  void Wake() override;
  void Stop() override;

  // Test hooks: calls of epoll_wait that could block (one per sleep) and
  // that could not (one per poll); descriptors registered with epoll now.
  uint64_t sleeps() const { return sleeps_.load(std::memory_order_relaxed); }
  uint64_t polls() const { return polls_.load(std::memory_order_relaxed); }
  size_t registered_fds() const;

 private:
  // The interests in one descriptor and the events it is registered for.
  struct FdEntry {
    std::vector<FdInterest*> interests;
    uint32_t registered = 0;  // epoll events of the current registration
  };

  // Re-registers `fd` for the union of its interests (or removes it), if the
  // union changed or `refresh` is set. Returns the errno of a refused
  // registration, else 0. Called with mu_ held.
  int UpdateLocked(int fd, FdEntry& entry, bool refresh);
  // Waits up to `timeout_ms` and dispatches what is ready.
  void WaitAndDispatch(int timeout_ms, const Scheduler* dispatcher);

  const int epoll_fd_;
  const int wake_fd_;
  mutable std::mutex mu_;
  absl::flat_hash_map<int, FdEntry> fds_;  // guarded by mu_
  std::atomic<bool> stopped_{false};       // written under mu_
  std::atomic<uint64_t> sleeps_{0};
  std::atomic<uint64_t> polls_{0};
  // Main thread only. Level-triggered: events beyond one buffer's worth are
  // reported again by the next wait.
  epoll_event events_[64];
};

}  // namespace scheduler::linux_internal

#endif  // PLATFORMS_LINUX_INTERNAL_EPOLL_WAITER_H_
