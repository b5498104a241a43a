// Internal: <windows.h> for the Windows dispatcher, plus the small RAII
// wrappers over slim reader/writer locks and condition variables it uses.
//
// Win32 primitives rather than std::mutex: with mingw-w64's -posix runtime,
// std::mutex goes through winpthreads, while SRWLOCK and CONDITION_VARIABLE
// are what the thread pool itself is built on (no allocation, no handle).
// Only included by the dispatcher's .cc files and internal headers, never by
// a public header, so users do not get <windows.h> macros.
#ifndef PLATFORMS_WINDOWS_INTERNAL_WIN32_H_
#define PLATFORMS_WINDOWS_INTERNAL_WIN32_H_

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
// <winbase.h> defines Yield() away (a Win16 leftover), which would hide
// scheduler::Yield in every file that includes this one.
#undef Yield

namespace scheduler::windows_internal {

// An exclusive, non-recursive lock. Not copyable or movable (SRWLOCKs must
// not move while in use).
class Lock {
 public:
  Lock() = default;
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  void Acquire() { AcquireSRWLockExclusive(&lock_); }
  void Release() { ReleaseSRWLockExclusive(&lock_); }
  SRWLOCK* native() { return &lock_; }

 private:
  SRWLOCK lock_ = SRWLOCK_INIT;
};

// Holds a Lock for the enclosing scope.
class LockGuard {
 public:
  explicit LockGuard(Lock& lock) : lock_(lock) { lock_.Acquire(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;
  ~LockGuard() { lock_.Release(); }

 private:
  Lock& lock_;
};

// A condition variable used with a held Lock. Waits may wake spuriously:
// callers re-check their condition in a loop.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Releases `lock` while waiting; holds it again on return.
  void Wait(Lock& lock) { SleepConditionVariableSRW(&cv_, lock.native(), INFINITE, 0); }
  void Signal() { WakeConditionVariable(&cv_); }
  void SignalAll() { WakeAllConditionVariable(&cv_); }

 private:
  CONDITION_VARIABLE cv_ = CONDITION_VARIABLE_INIT;
};

}  // namespace scheduler::windows_internal

#endif  // PLATFORMS_WINDOWS_INTERNAL_WIN32_H_
