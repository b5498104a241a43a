// Async synchronization primitives: Mutex, Semaphore, Event, Latch, Barrier.
//
//   Mutex mu;
//   {
//     Mutex::Guard guard = co_await mu.Lock();   // suspends the task, not the thread
//     ... critical section, may co_await ...
//   }                                            // unlocked: the next waiter gets it
//
//   Semaphore slots(4);
//   Semaphore::Permit p = co_await slots.Acquire();          // released when p dies
//
//   Event ready(Event::kManualReset);   // or kAutoReset (tokio's Notify)
//   co_await ready.Wait();              // elsewhere: ready.Set();
//
//   Latch started(3);    co_await started.Wait();   // elsewhere: started.CountDown();
//   Barrier phase(3);    bool leader = co_await phase.ArriveAndWait();
//
// COMMON CONTRACT (internal/waiter_list.h has the protocol):
//   * Waiting suspends the task; waiters are served in FIFO order, and a
//     release hands what it frees directly to the first waiter (a task that
//     arrives later cannot barge in ahead of it).
//   * Cancellation-safe: a task cancelled while it waits (its Task dropped,
//     a losing `Race` branch, `WithTimeout` expiring) leaves the queue
//     without losing or keeping anything: a mutex handed to it is passed on,
//     permits granted to it are returned, an auto-reset signal goes to the
//     next waiter, a barrier arrival is taken back.
//   * Thread-safe: every method may be called from any thread and from any
//     task, on any scheduler; wake-ups go through each waiter's own
//     scheduler (the TestScheduler decides their order).
//   * Waiting must happen inside a task (`co_await` in a spawned future);
//     elsewhere it is a fatal error naming the call site.
//   * Destroying a primitive while tasks wait on it, or a Mutex while it is
//     locked, is a fatal error naming where the primitive was created.
//     Guards and permits must not outlive their primitive.
// They do not allocate per wait (the waiter's node lives in its frame).
#ifndef SCHEDULER_SYNC_H_
#define SCHEDULER_SYNC_H_

#include <cstdint>
#include <optional>
#include <source_location>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/internal/waiter_list.h"

namespace scheduler {

// A counting semaphore with FIFO waiters.
class Semaphore {
 public:
  // Holds `count` permits of a Semaphore; returns them when destroyed.
  class [[nodiscard]] Permit {
   public:
    Permit() = default;
    Permit(Permit&& other) noexcept
        : semaphore_(std::exchange(other.semaphore_, nullptr)), count_(other.count_) {}
    Permit& operator=(Permit&& other) noexcept {
      if (this != &other) {
        Release();
        semaphore_ = std::exchange(other.semaphore_, nullptr);
        count_ = other.count_;
      }
      return *this;
    }
    ~Permit() { Release(); }

    // Returns the permits now; the Permit becomes empty.
    void Release() {
      if (semaphore_ != nullptr) std::exchange(semaphore_, nullptr)->Release(count_);
    }
    // Keeps the permits taken for good (the semaphore's count stays lower).
    void Forget() { semaphore_ = nullptr; }
    bool holds() const { return semaphore_ != nullptr; }
    uint64_t count() const { return count_; }

   private:
    friend class Semaphore;
    Permit(Semaphore* semaphore, uint64_t count) : semaphore_(semaphore), count_(count) {}
    Semaphore* semaphore_ = nullptr;
    uint64_t count_ = 0;
  };

  explicit Semaphore(uint64_t permits,
                     std::source_location location = std::source_location::current());
  ~Semaphore();
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  class AcquireAwaiter {
   public:
    using IsSchedulerAwaitable = void;
    AcquireAwaiter(Semaphore* s, uint64_t n) : inner_(s, n), semaphore_(s), count_(n) {}
    bool await_ready() { return inner_.await_ready(); }
    bool await_suspend(std::coroutine_handle<> h) { return inner_.await_suspend(h); }
    Permit await_resume() {
      inner_.await_resume();
      return Permit(semaphore_, count_);
    }

   private:
    internal::WaitAwaiter<Semaphore> inner_;
    Semaphore* semaphore_;
    uint64_t count_;
  };

  // Waits until `n` permits can be taken, behind every earlier waiter, and
  // takes them. `n` larger than the permits that can ever exist waits
  // forever (and holds up the waiters behind it).
  AcquireAwaiter Acquire(uint64_t n = 1) { return AcquireAwaiter(this, n); }
  // Takes `n` permits if that needs no waiting (none available, or others
  // queued first: nullopt).
  std::optional<Permit> TryAcquire(uint64_t n = 1);
  // Adds `n` permits, serving waiters in order.
  void Release(uint64_t n = 1);
  uint64_t available() const;

 private:
  friend class internal::WaitAwaiter<Semaphore>;
  absl::Mutex& mu() const ABSL_LOCK_RETURNED(mu_) { return mu_; }
  internal::WaiterList& waiters() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return waiters_; }
  bool TryAcquire(internal::WaiterNode& node, internal::WakeList& wakes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnEnqueued(internal::WaiterNode&) {}
  void OnUnlinked(internal::WaiterNode& node, internal::WakeList& wakes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnAbandoned(internal::WaiterNode& node, internal::WakeList& wakes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Grants permits to waiters from the front while they fit.
  void Serve(internal::WakeList& wakes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::source_location location_;
  mutable absl::Mutex mu_;
  uint64_t permits_ ABSL_GUARDED_BY(mu_);
  internal::WaiterList waiters_ ABSL_GUARDED_BY(mu_);
};

// A mutual-exclusion lock for tasks. Unlike `std::mutex`, waiting suspends
// the task rather than the thread, and the lock may be held across
// `co_await`s and released on another thread. Not recursive: a task that
// locks a Mutex it holds waits forever. FIFO: `Unlock` hands the lock to the
// first waiter directly.
class Mutex {
 public:
  // Holds the lock; unlocks when destroyed (or by `Unlock()`).
  class [[nodiscard]] Guard {
   public:
    Guard() = default;
    Guard(Guard&&) noexcept = default;
    Guard& operator=(Guard&&) noexcept = default;
    void Unlock() { permit_.Release(); }
    bool holds() const { return permit_.holds(); }

   private:
    friend class Mutex;
    explicit Guard(Semaphore::Permit permit) : permit_(std::move(permit)) {}
    Semaphore::Permit permit_;
  };

  explicit Mutex(std::source_location location = std::source_location::current())
      : semaphore_(1, location), location_(location) {}
  ~Mutex();
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  class LockAwaiter {
   public:
    using IsSchedulerAwaitable = void;
    explicit LockAwaiter(Semaphore* s) : inner_(s->Acquire(1)) {}
    bool await_ready() { return inner_.await_ready(); }
    bool await_suspend(std::coroutine_handle<> h) { return inner_.await_suspend(h); }
    Guard await_resume() { return Guard(inner_.await_resume()); }

   private:
    Semaphore::AcquireAwaiter inner_;
  };

  // Waits for the lock, behind every earlier waiter.
  LockAwaiter Lock() { return LockAwaiter(&semaphore_); }
  // The lock if it is free and nobody waits for it.
  std::optional<Guard> TryLock();
  bool IsLocked() const { return semaphore_.available() == 0; }

 private:
  Semaphore semaphore_;
  const std::source_location location_;
};

// A signal tasks wait for. kManualReset: `Set` releases every waiter, and
// the event stays set (later waits complete at once) until `Reset`.
// kAutoReset: `Set` releases one waiter, or, if none waits, stays set until
// one wait consumes it (tokio's `Notify::notify_one`; several Sets before a
// wait count as one).
class Event {
 public:
  enum Mode { kManualReset, kAutoReset };

  explicit Event(Mode mode, bool initially_set = false,
                 std::source_location location = std::source_location::current());
  ~Event();
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  class WaitAwaiter {
   public:
    using IsSchedulerAwaitable = void;
    explicit WaitAwaiter(Event* e) : inner_(e, 0) {}
    bool await_ready() { return inner_.await_ready(); }
    bool await_suspend(std::coroutine_handle<> h) { return inner_.await_suspend(h); }
    void await_resume() { inner_.await_resume(); }

   private:
    internal::WaitAwaiter<Event> inner_;
  };

  // Waits until the event is set (see the modes).
  WaitAwaiter Wait() { return WaitAwaiter(this); }
  void Set();
  void Reset();
  bool IsSet() const;

 private:
  friend class internal::WaitAwaiter<Event>;
  absl::Mutex& mu() const ABSL_LOCK_RETURNED(mu_) { return mu_; }
  internal::WaiterList& waiters() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return waiters_; }
  bool TryAcquire(internal::WaiterNode& node, internal::WakeList& wakes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnEnqueued(internal::WaiterNode&) {}
  void OnUnlinked(internal::WaiterNode&, internal::WakeList&) {}
  void OnAbandoned(internal::WaiterNode& node, internal::WakeList& wakes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetLocked(internal::WakeList& wakes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Mode mode_;
  const std::source_location location_;
  mutable absl::Mutex mu_;
  bool set_ ABSL_GUARDED_BY(mu_);
  internal::WaiterList waiters_ ABSL_GUARDED_BY(mu_);
};

// A single-use countdown: `Wait` completes once `CountDown` has been called
// `count` times in total (std::latch for tasks). Counting below zero is a
// fatal error naming the latch.
class Latch {
 public:
  explicit Latch(uint64_t count, std::source_location location = std::source_location::current());
  ~Latch();
  Latch(const Latch&) = delete;
  Latch& operator=(const Latch&) = delete;

  class WaitAwaiter {
   public:
    using IsSchedulerAwaitable = void;
    explicit WaitAwaiter(Latch* l) : inner_(l, 0) {}
    bool await_ready() { return inner_.await_ready(); }
    bool await_suspend(std::coroutine_handle<> h) { return inner_.await_suspend(h); }
    void await_resume() { inner_.await_resume(); }

   private:
    internal::WaitAwaiter<Latch> inner_;
  };

  void CountDown(uint64_t n = 1);
  WaitAwaiter Wait() { return WaitAwaiter(this); }
  bool IsReady() const;

 private:
  friend class internal::WaitAwaiter<Latch>;
  absl::Mutex& mu() const ABSL_LOCK_RETURNED(mu_) { return mu_; }
  internal::WaiterList& waiters() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return waiters_; }
  bool TryAcquire(internal::WaiterNode&, internal::WakeList&) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return count_ == 0;
  }
  void OnEnqueued(internal::WaiterNode&) {}
  void OnUnlinked(internal::WaiterNode&, internal::WakeList&) {}
  void OnAbandoned(internal::WaiterNode&, internal::WakeList&) {}

  const std::source_location location_;
  mutable absl::Mutex mu_;
  uint64_t count_ ABSL_GUARDED_BY(mu_);
  internal::WaiterList waiters_ ABSL_GUARDED_BY(mu_);
};

// A reusable rendezvous of `parties` tasks (std::barrier for tasks): each
// phase completes when `parties` tasks have arrived; the last to arrive
// completes it without waiting and gets true (the leader), the others are
// released with false. A task cancelled while it waits withdraws its
// arrival, so the phase still needs `parties` live arrivals.
class Barrier {
 public:
  explicit Barrier(uint64_t parties,
                   std::source_location location = std::source_location::current());
  ~Barrier();
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;

  class ArriveAwaiter {
   public:
    using IsSchedulerAwaitable = void;
    explicit ArriveAwaiter(Barrier* b) : inner_(b, 0) {}
    bool await_ready() { return inner_.await_ready(); }
    bool await_suspend(std::coroutine_handle<> h) { return inner_.await_suspend(h); }
    bool await_resume() { return inner_.await_resume() != 0; }

   private:
    internal::WaitAwaiter<Barrier> inner_;
  };

  ArriveAwaiter ArriveAndWait() { return ArriveAwaiter(this); }
  // Phases completed so far.
  uint64_t phase() const;

 private:
  friend class internal::WaitAwaiter<Barrier>;
  absl::Mutex& mu() const ABSL_LOCK_RETURNED(mu_) { return mu_; }
  internal::WaiterList& waiters() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return waiters_; }
  bool TryAcquire(internal::WaiterNode& node, internal::WakeList& wakes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnEnqueued(internal::WaiterNode&) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { ++arrived_; }
  void OnUnlinked(internal::WaiterNode&, internal::WakeList&) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    --arrived_;
  }
  void OnAbandoned(internal::WaiterNode&, internal::WakeList&) {}

  const uint64_t parties_;
  const std::source_location location_;
  mutable absl::Mutex mu_;
  uint64_t arrived_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t phase_ ABSL_GUARDED_BY(mu_) = 0;
  internal::WaiterList waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace scheduler

#endif  // SCHEDULER_SYNC_H_
