// Oneshot: a single value handed from one producer to one awaiting task.
//
//   auto [sender, receiver] = MakeOneshot<int>();
//   std::move(sender).Send(42);                       // any thread
//   absl::StatusOr<int> v = co_await std::move(receiver);  // in a task
//
// If the sender is destroyed without sending, the receiver gets
// `absl::CancelledError` naming where the oneshot was made; if the receiver is
// gone, `Send` returns `absl::FailedPreconditionError` and drops the value.
// Sender and receiver are move-only; each may live on any thread.
#ifndef SCHEDULER_ONESHOT_H_
#define SCHEDULER_ONESHOT_H_

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <source_location>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/internal/waiter_list.h"
#include "scheduler/task_metadata.h"

namespace scheduler {

namespace internal {
// THE PRIMITIVE of waiter_list.h: the receiver waits until a value is there
// or the sender is gone. The value stays in the state until the receiver
// takes it, so a receiver cancelled after its wake-up has nothing to give
// back.
//
// OWNERSHIP. The sender and the receiver own the state together: each
// releases its share (`Release`) after its last use of it, and the second
// release deletes it. A count of its own instead of a shared_ptr's control
// block: 16 bytes less per oneshot (a task waiting on one is the common
// case: runtime_comparison_benchmark's memory workload).
template <typename T>
class OneshotState {
 public:
  explicit OneshotState(std::source_location loc) : location(loc) {}
  OneshotState(const OneshotState&) = delete;
  OneshotState& operator=(const OneshotState&) = delete;
  const std::source_location location;

  // Drops one of the two shares; the last one deletes the state. The
  // acq_rel decrement orders the other side's last use before the delete.
  void Release() {
    if (shares_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  absl::Mutex& mu() ABSL_LOCK_RETURNED(mu_) { return mu_; }
  WaiterList& waiters() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return waiters_; }
  bool TryAcquire(WaiterNode&, WakeList&) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return value_.has_value() || !sender_alive_;
  }
  void OnEnqueued(WaiterNode&) {}
  void OnUnlinked(WaiterNode&, WakeList&) {}
  void OnAbandoned(WaiterNode&, WakeList&) {}

  // The sender's last act: delivers `value` if it is non-null and the
  // receiver is alive. Returns whether it was delivered.
  bool CloseSender(std::optional<T>* value) {
    WakeList wakes;
    bool delivered = false;
    {
      absl::MutexLock lock(&mu_);
      sender_alive_ = false;
      if (value != nullptr && receiver_alive_) {
        value_.emplace(std::move(**value));
        delivered = true;
      }
      waiters_.NotifyAll(0, wakes);  // ready either way: a value or the error
    }
    WakeAll(wakes);
    return delivered;
  }
  void CloseReceiver() {
    std::optional<T> dropped;  // destroyed outside the lock
    absl::MutexLock lock(&mu_);
    receiver_alive_ = false;
    dropped.swap(value_);
  }
  std::optional<T> Take() {
    absl::MutexLock lock(&mu_);
    return std::exchange(value_, std::nullopt);
  }

 private:
  absl::Mutex mu_;
  std::optional<T> value_ ABSL_GUARDED_BY(mu_);
  bool sender_alive_ ABSL_GUARDED_BY(mu_) = true;
  bool receiver_alive_ ABSL_GUARDED_BY(mu_) = true;
  std::atomic<uint32_t> shares_{2};  // see OWNERSHIP
  WaiterList waiters_ ABSL_GUARDED_BY(mu_);
};

// One side's share of a OneshotState (see OWNERSHIP): move-only, null when
// moved from.
template <typename T>
class OneshotShare {
 public:
  OneshotShare() = default;
  explicit OneshotShare(OneshotState<T>* state) : state_(state) {}
  OneshotShare(OneshotShare&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  OneshotShare& operator=(OneshotShare&& other) noexcept {
    std::swap(state_, other.state_);
    return *this;
  }
  ~OneshotShare() { reset(); }

  OneshotState<T>* get() const { return state_; }
  OneshotState<T>* operator->() const { return state_; }
  bool operator==(std::nullptr_t) const { return state_ == nullptr; }
  void reset() {
    if (state_ != nullptr) std::exchange(state_, nullptr)->Release();
  }

 private:
  OneshotState<T>* state_ = nullptr;
};
}  // namespace internal

template <typename T>
class OneshotReceiver;

template <typename T>
class OneshotSender {
 public:
  OneshotSender(OneshotSender&&) noexcept = default;
  OneshotSender& operator=(OneshotSender&& other) noexcept {
    if (this != &other) {
      Close();
      state_ = std::move(other.state_);  // swaps with the empty share Close left
    }
    return *this;
  }
  ~OneshotSender() { Close(); }

  // Delivers `value` and wakes the receiver. Consumes the sender.
  absl::Status Send(T value) && {
    if (state_ == nullptr) return absl::FailedPreconditionError("Send on a moved-from sender");
    // Released after the wake-up, whatever path returns.
    internal::OneshotShare<T> state = std::move(state_);
    std::optional<T> boxed(std::move(value));
    return state->CloseSender(&boxed)
               ? absl::OkStatus()
               : absl::FailedPreconditionError("oneshot receiver was dropped");
  }

 private:
  template <typename U>
  friend std::pair<OneshotSender<U>, OneshotReceiver<U>> MakeOneshot(std::source_location);
  explicit OneshotSender(internal::OneshotShare<T> s) : state_(std::move(s)) {}

  void Close() {
    if (state_ == nullptr) return;
    state_->CloseSender(nullptr);  // the receiver sees the error
    state_.reset();
  }

  internal::OneshotShare<T> state_;
};

template <typename T>
class OneshotReceiver {
 public:
  using IsSchedulerAwaitable = void;

  OneshotReceiver(OneshotReceiver&&) noexcept = default;
  OneshotReceiver& operator=(OneshotReceiver&& other) noexcept {
    std::swap(state_, other.state_);
    return *this;
  }
  ~OneshotReceiver() {
    if (state_ != nullptr) state_->CloseReceiver();
  }  // then state_ releases the share

  class Awaiter {
   public:
    using IsSchedulerAwaitable = void;
    explicit Awaiter(internal::OneshotState<T>* s) : inner_(s, 0) {}
    bool await_ready() { return inner_.await_ready(); }
    bool await_suspend(std::coroutine_handle<> h) { return inner_.await_suspend(h); }
    absl::StatusOr<T> await_resume() {
      inner_.await_resume();
      internal::OneshotState<T>* state = inner_.primitive();
      std::optional<T> value = state->Take();
      if (!value.has_value()) {
        return absl::CancelledError("oneshot sender made at " + FormatLocation(state->location) +
                                    " was dropped without sending");
      }
      return std::move(*value);
    }

   private:
    // Its primitive, the state, is kept alive by the receiver, which
    // outlives the await (it is the awaited object); a raw pointer spares the
    // hot path two atomic updates.
    internal::WaitAwaiter<internal::OneshotState<T>> inner_;
  };

  // Waits for the value. Await once.
  Awaiter operator co_await() & { return Awaiter(state_.get()); }
  Awaiter operator co_await() && { return Awaiter(state_.get()); }

 private:
  template <typename U>
  friend std::pair<OneshotSender<U>, OneshotReceiver<U>> MakeOneshot(std::source_location);
  explicit OneshotReceiver(internal::OneshotShare<T> s) : state_(std::move(s)) {}

  internal::OneshotShare<T> state_;
};

template <typename T>
std::pair<OneshotSender<T>, OneshotReceiver<T>> MakeOneshot(
    std::source_location location = std::source_location::current()) {
  auto* state = new internal::OneshotState<T>(location);  // two shares
  return {OneshotSender<T>(internal::OneshotShare<T>(state)),
          OneshotReceiver<T>(internal::OneshotShare<T>(state))};
}

}  // namespace scheduler

#endif  // SCHEDULER_ONESHOT_H_
