// ThreadSanitizer annotations for Debian's prebuilt Abseil synchronization primitives.
//
// Why: libabsl_synchronization.so is compiled without -fsanitize=thread, so TSan cannot see that
// absl::Mutex::Unlock() in one thread happens-before absl::Mutex::Lock() in another, and reports
// every access guarded by an absl::Mutex (or ordered by absl::Notification, CondVar,
// BlockingCounter, Barrier) as a data race. An Abseil built with TSan would annotate itself with
// the __tsan_mutex_* interface; this file adds the same annotations from outside.
//
// How: the linker's --wrap renames our calls to `sym` into calls to `__wrap_sym`, defined below,
// which annotates and then calls the original as `__real_sym`. Only calls from code linked into
// the executable are redirected (Abseil's internal calls are not, and need not be), which is why
// the tsan config uses --dynamic_mode=off. The list of wrapped symbols is kept in
// third_party/BUILD.bazel (absl_tsan_annotations) and must match the definitions here.
//
// Accesses made while Abseil runs (e.g. Condition callbacks evaluated inside Lock/Unlock) are
// ignored by TSan between the pre_/post_ annotations, like in Abseil's own TSan build.
//
// Linked only under -fsanitize=thread (see //third_party:tsan_enabled).

#include <sanitizer/tsan_interface.h>

#include <atomic>
#include <cstdint>
#include <string_view>

#include "absl/base/options.h"
#include "absl/synchronization/barrier.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

#if !defined(__SANITIZE_THREAD__)
#error "absl_tsan_annotations.cc is only meant for -fsanitize=thread builds"
#endif

#define US_TSAN_STR2(x) #x
#define US_TSAN_STR(x) US_TSAN_STR2(x)
// The mangled names below spell Abseil's inline namespace; a Debian update that changes it must
// fail here, not link silently against nothing.
static_assert(std::string_view(US_TSAN_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME)) == "debian3",
              "Abseil's inline namespace changed: update the mangled names in this file and in "
              "third_party/BUILD.bazel");

// The layout facts relied on below (absl::Mutex is one intptr_t word; Notification's flag follows
// its Mutex; ReleasableMutexLock holds only its Mutex*).
static_assert(sizeof(absl::Mutex) == sizeof(intptr_t));
static_assert(sizeof(absl::ReleasableMutexLock) == sizeof(absl::Mutex*));
static_assert(sizeof(absl::Notification) == 2 * sizeof(absl::Mutex));

namespace {

constexpr unsigned kWrite = 0;
constexpr unsigned kRead = __tsan_mutex_read_lock;

// A mutex the caller holds is held in write mode iff Abseil's kMuWriter bit (0x8) is set.
unsigned HeldMode(const absl::Mutex* mu) {
  const auto* word = reinterpret_cast<const std::atomic<intptr_t>*>(mu);
  return (word->load(std::memory_order_relaxed) & 0x8) != 0 ? kWrite : kRead;
}

void PreLock(void* mu, unsigned mode) { __tsan_mutex_pre_lock(mu, mode); }
void PostLock(void* mu, unsigned mode) { __tsan_mutex_post_lock(mu, mode, 0); }
void PreUnlock(void* mu, unsigned mode) { __tsan_mutex_pre_unlock(mu, mode); }
void PostUnlock(void* mu, unsigned mode) { __tsan_mutex_post_unlock(mu, mode); }

void PostTryLock(void* mu, unsigned mode, bool locked) {
  __tsan_mutex_post_lock(
      mu, mode | __tsan_mutex_try_lock | (locked ? 0u : __tsan_mutex_try_lock_failed), 0);
}

// Await / CondVar::Wait release the mutex while waiting and hold it again on return.
void BeforeWait(void* mu, unsigned mode) {
  PreUnlock(mu, mode);
  PostUnlock(mu, mode);
  PreLock(mu, mode);
}

// Notification's flag is read inline (HasBeenNotified, compiled with TSan) with an acquire load;
// releasing on its address makes that load synchronize with Notify().
void* NotifiedFlag(const absl::Notification* n) {
  return const_cast<char*>(reinterpret_cast<const char*>(n) + sizeof(absl::Mutex));
}

}  // namespace

using absl::Barrier;
using absl::BlockingCounter;
using absl::Condition;
using absl::CondVar;
using absl::Duration;
using absl::Mutex;
using absl::Notification;
using absl::ReleasableMutexLock;
using absl::Time;

// Declares __real_<sym> and defines __wrap_<sym>.
#define US_WRAP(ret, sym, params)     \
  extern "C" ret __real_##sym params; \
  extern "C" ret __wrap_##sym params

// --- absl::Mutex --------------------------------------------------------------------------------

// Mutex::Lock() and Mutex::ReaderLock()
US_WRAP(void, _ZN4absl7debian35Mutex4LockEv, (Mutex * mu)) {
  PreLock(mu, kWrite);
  __real__ZN4absl7debian35Mutex4LockEv(mu);
  PostLock(mu, kWrite);
}
US_WRAP(void, _ZN4absl7debian35Mutex10ReaderLockEv, (Mutex * mu)) {
  PreLock(mu, kRead);
  __real__ZN4absl7debian35Mutex10ReaderLockEv(mu);
  PostLock(mu, kRead);
}

// Mutex::TryLock() and Mutex::ReaderTryLock()
US_WRAP(bool, _ZN4absl7debian35Mutex7TryLockEv, (Mutex * mu)) {
  __tsan_mutex_pre_lock(mu, __tsan_mutex_try_lock);
  const bool locked = __real__ZN4absl7debian35Mutex7TryLockEv(mu);
  PostTryLock(mu, kWrite, locked);
  return locked;
}
US_WRAP(bool, _ZN4absl7debian35Mutex13ReaderTryLockEv, (Mutex * mu)) {
  __tsan_mutex_pre_lock(mu, __tsan_mutex_try_read_lock);
  const bool locked = __real__ZN4absl7debian35Mutex13ReaderTryLockEv(mu);
  PostTryLock(mu, kRead, locked);
  return locked;
}

// Mutex::Unlock() and Mutex::ReaderUnlock()
US_WRAP(void, _ZN4absl7debian35Mutex6UnlockEv, (Mutex * mu)) {
  PreUnlock(mu, kWrite);
  __real__ZN4absl7debian35Mutex6UnlockEv(mu);
  PostUnlock(mu, kWrite);
}
US_WRAP(void, _ZN4absl7debian35Mutex12ReaderUnlockEv, (Mutex * mu)) {
  PreUnlock(mu, kRead);
  __real__ZN4absl7debian35Mutex12ReaderUnlockEv(mu);
  PostUnlock(mu, kRead);
}

// Mutex::LockWhen*(): the mutex is held on return whatever the result.
US_WRAP(void, _ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE,
        (Mutex * mu, const Condition& cond)) {
  PreLock(mu, kWrite);
  __real__ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE(mu, cond);
  PostLock(mu, kWrite);
}
US_WRAP(bool, _ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE,
        (Mutex * mu, const Condition& cond, Duration timeout)) {
  PreLock(mu, kWrite);
  const bool result =
      __real__ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE(mu, cond,
                                                                                         timeout);
  PostLock(mu, kWrite);
  return result;
}
US_WRAP(bool, _ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE,
        (Mutex * mu, const Condition& cond, Time deadline)) {
  PreLock(mu, kWrite);
  const bool result =
      __real__ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE(mu, cond,
                                                                                      deadline);
  PostLock(mu, kWrite);
  return result;
}
US_WRAP(void, _ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE,
        (Mutex * mu, const Condition& cond)) {
  PreLock(mu, kRead);
  __real__ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE(mu, cond);
  PostLock(mu, kRead);
}
US_WRAP(bool, _ZN4absl7debian35Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE,
        (Mutex * mu, const Condition& cond, Duration timeout)) {
  PreLock(mu, kRead);
  const bool result =
      __real__ZN4absl7debian35Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE(
          mu, cond, timeout);
  PostLock(mu, kRead);
  return result;
}
US_WRAP(bool, _ZN4absl7debian35Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE,
        (Mutex * mu, const Condition& cond, Time deadline)) {
  PreLock(mu, kRead);
  const bool result =
      __real__ZN4absl7debian35Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE(
          mu, cond, deadline);
  PostLock(mu, kRead);
  return result;
}

// Mutex::Await*(): called with the mutex held; releases it while waiting.
US_WRAP(void, _ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE, (Mutex * mu, const Condition& cond)) {
  const unsigned mode = HeldMode(mu);
  BeforeWait(mu, mode);
  __real__ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE(mu, cond);
  PostLock(mu, mode);
}
US_WRAP(bool, _ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE,
        (Mutex * mu, const Condition& cond, Duration timeout)) {
  const unsigned mode = HeldMode(mu);
  BeforeWait(mu, mode);
  const bool result =
      __real__ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE(mu, cond,
                                                                                      timeout);
  PostLock(mu, mode);
  return result;
}
US_WRAP(bool, _ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE,
        (Mutex * mu, const Condition& cond, Time deadline)) {
  const unsigned mode = HeldMode(mu);
  BeforeWait(mu, mode);
  const bool result = __real__ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE(
      mu, cond, deadline);
  PostLock(mu, mode);
  return result;
}

// Mutex::~Mutex(): forget the mutex so that memory reused for another one starts clean (stack
// and member mutexes are never freed, which is when TSan would otherwise forget it).
US_WRAP(void, _ZN4absl7debian35MutexD1Ev, (Mutex * mu)) {
  __tsan_mutex_destroy(mu, __tsan_mutex_not_static);
  __real__ZN4absl7debian35MutexD1Ev(mu);
}
US_WRAP(void, _ZN4absl7debian35MutexD2Ev, (Mutex * mu)) {
  __tsan_mutex_destroy(mu, __tsan_mutex_not_static);
  __real__ZN4absl7debian35MutexD2Ev(mu);
}

// ReleasableMutexLock::Release() unlocks inside the library, out of reach of the Unlock wrapper.
US_WRAP(void, _ZN4absl7debian319ReleasableMutexLock7ReleaseEv, (ReleasableMutexLock * lock)) {
  Mutex* mu = *reinterpret_cast<Mutex**>(lock);
  PreUnlock(mu, kWrite);
  __real__ZN4absl7debian319ReleasableMutexLock7ReleaseEv(lock);
  PostUnlock(mu, kWrite);
}

// --- absl::CondVar: like Await, on the mutex passed in ------------------------------------------

US_WRAP(void, _ZN4absl7debian37CondVar4WaitEPNS0_5MutexE, (CondVar * cv, Mutex* mu)) {
  const unsigned mode = HeldMode(mu);
  BeforeWait(mu, mode);
  __real__ZN4absl7debian37CondVar4WaitEPNS0_5MutexE(cv, mu);
  PostLock(mu, mode);
}
US_WRAP(bool, _ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE,
        (CondVar * cv, Mutex* mu, Duration timeout)) {
  const unsigned mode = HeldMode(mu);
  BeforeWait(mu, mode);
  const bool result =
      __real__ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE(cv, mu, timeout);
  PostLock(mu, mode);
  return result;
}
US_WRAP(bool, _ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE,
        (CondVar * cv, Mutex* mu, Time deadline)) {
  const unsigned mode = HeldMode(mu);
  BeforeWait(mu, mode);
  const bool result =
      __real__ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE(cv, mu, deadline);
  PostLock(mu, mode);
  return result;
}

// --- absl::Notification: Notify() releases, a successful wait acquires ---------------------------

US_WRAP(void, _ZN4absl7debian312Notification6NotifyEv, (Notification * n)) {
  __tsan_release(NotifiedFlag(n));
  __real__ZN4absl7debian312Notification6NotifyEv(n);
}
US_WRAP(void, _ZNK4absl7debian312Notification19WaitForNotificationEv, (const Notification* n)) {
  __real__ZNK4absl7debian312Notification19WaitForNotificationEv(n);
  __tsan_acquire(NotifiedFlag(n));
}
US_WRAP(bool, _ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE,
        (const Notification* n, Duration timeout)) {
  const bool notified =
      __real__ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE(
          n, timeout);
  if (notified) __tsan_acquire(NotifiedFlag(n));
  return notified;
}
US_WRAP(bool, _ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE,
        (const Notification* n, Time deadline)) {
  const bool notified =
      __real__ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE(n,
                                                                                         deadline);
  if (notified) __tsan_acquire(NotifiedFlag(n));
  return notified;
}

// --- absl::BlockingCounter and absl::Barrier: every arrival releases, every exit acquires ------
//
// The synchronization cannot live at the object's own address: Barrier's contract is that the
// thread whose Block() returns true deletes it, possibly while the others are still between the
// real Block() and their acquire, and a waiter may destroy a BlockingCounter while the last
// decrementer is still inside DecrementCount(). TSan forgets the clocks of freed memory, so an
// acquire there would see nothing and report the ordered accesses as races (it did, in CI). The
// clocks therefore live in a static table indexed by the object's address: it outlives every
// object, and two objects sharing a slot only add ordering (a missed race, never a false one).

namespace {

char sync_slots[4096];

void* SyncSlotFor(const void* object) {
  const auto address = reinterpret_cast<std::uintptr_t>(object);
  return &sync_slots[(address >> 4) % sizeof(sync_slots)];
}

}  // namespace

US_WRAP(bool, _ZN4absl7debian315BlockingCounter14DecrementCountEv, (BlockingCounter * counter)) {
  void* const slot = SyncSlotFor(counter);
  __tsan_release(slot);
  const bool reached_zero = __real__ZN4absl7debian315BlockingCounter14DecrementCountEv(counter);
  if (reached_zero) __tsan_acquire(slot);
  return reached_zero;
}
US_WRAP(void, _ZN4absl7debian315BlockingCounter4WaitEv, (BlockingCounter * counter)) {
  void* const slot = SyncSlotFor(counter);
  __real__ZN4absl7debian315BlockingCounter4WaitEv(counter);
  __tsan_acquire(slot);
}
US_WRAP(bool, _ZN4absl7debian37Barrier5BlockEv, (Barrier * barrier)) {
  void* const slot = SyncSlotFor(barrier);
  __tsan_release(slot);
  const bool last = __real__ZN4absl7debian37Barrier5BlockEv(barrier);
  __tsan_acquire(slot);
  return last;
}
