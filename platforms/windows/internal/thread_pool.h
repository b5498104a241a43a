// Internal: one private Windows thread pool and the cleanup group that owns
// every callback object (work, timer) the dispatcher creates in it.
#ifndef PLATFORMS_WINDOWS_INTERNAL_THREAD_POOL_H_
#define PLATFORMS_WINDOWS_INTERNAL_THREAD_POOL_H_

#include <memory>

#include "platforms/windows/internal/win32.h"

namespace scheduler::windows_internal {

// A `CreateThreadpool` pool of at most `max_threads` threads, with a callback
// environment whose objects all join one cleanup group, so that `Close()` can
// cancel and release them in a single `CloseThreadpoolCleanupGroupMembers`.
//
// Thread-safety: `environment()` and `IsCallbackThread()` from any thread;
// `Close()` from any thread that is not running one of this pool's callbacks
// (it waits for running callbacks, so it would wait for itself).
class ThreadPool {
 public:
  // Fatal error (with the Windows error code) if the pool cannot be created.
  static std::shared_ptr<ThreadPool> Create(int max_threads);

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  // Closes the pool if `Close` was not called.
  ~ThreadPool();

  // Where to create callback objects: `CreateThreadpoolWork(..., environment())`.
  // Objects created here must not be closed individually; `Close` closes them.
  PTP_CALLBACK_ENVIRON environment() { return &environment_; }

  // Marks the current thread as running a callback of `pool` for the scope's
  // lifetime. Every callback trampoline of the dispatcher opens one.
  class CallbackScope {
   public:
    explicit CallbackScope(const ThreadPool* pool);
    CallbackScope(const CallbackScope&) = delete;
    CallbackScope& operator=(const CallbackScope&) = delete;
    ~CallbackScope();

   private:
    const ThreadPool* previous_;
  };

  // True while the calling thread runs a callback of this pool.
  bool IsCallbackThread() const;

  // Cancels the callbacks that have not started, waits for the running ones,
  // then releases every object, the cleanup group and the pool. Idempotent.
  void Close();

  // `Close()` for a caller that is itself one of the pool's callbacks: the
  // close runs on a thread of the process's default pool, which waits for the
  // caller's callback to return. `keep_alive` (the objects that the remaining
  // callbacks use as their context) is released after the close.
  static void CloseAsync(std::shared_ptr<ThreadPool> pool, std::shared_ptr<void> keep_alive);

 private:
  ThreadPool() = default;

  PTP_POOL pool_ = nullptr;
  PTP_CLEANUP_GROUP group_ = nullptr;
  TP_CALLBACK_ENVIRON environment_;
  bool closed_ = false;  // Only touched by Close, which runs once per pool.
};

}  // namespace scheduler::windows_internal

#endif  // PLATFORMS_WINDOWS_INTERNAL_THREAD_POOL_H_
