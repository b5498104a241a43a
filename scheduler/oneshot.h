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

#include <coroutine>
#include <memory>
#include <optional>
#include <source_location>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/internal/single_waiter.h"
#include "scheduler/task_metadata.h"
#include "scheduler/waker.h"

namespace scheduler {

namespace internal {
template <typename T>
struct OneshotState {
  explicit OneshotState(std::source_location loc) : location(loc) {}
  const std::source_location location;
  absl::Mutex mu;
  std::optional<T> value ABSL_GUARDED_BY(mu);
  bool sender_alive ABSL_GUARDED_BY(mu) = true;
  bool receiver_alive ABSL_GUARDED_BY(mu) = true;
  Waker waiter ABSL_GUARDED_BY(mu);
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
      state_ = std::move(other.state_);
    }
    return *this;
  }
  ~OneshotSender() { Close(); }

  // Delivers `value` and wakes the receiver. Consumes the sender.
  absl::Status Send(T value) && {
    if (state_ == nullptr) return absl::FailedPreconditionError("Send on a moved-from sender");
    // Released after the lock (declared first), whatever path returns.
    std::shared_ptr<internal::OneshotState<T>> state = std::move(state_);
    bool delivered = false;
    internal::ChangeAndMaybeWake(*state, [&] {
      state->sender_alive = false;
      if (!state->receiver_alive) return false;
      state->value.emplace(std::move(value));
      delivered = true;
      return true;
    });
    return delivered ? absl::OkStatus()
                     : absl::FailedPreconditionError("oneshot receiver was dropped");
  }

 private:
  template <typename U>
  friend std::pair<OneshotSender<U>, OneshotReceiver<U>> MakeOneshot(std::source_location);
  explicit OneshotSender(std::shared_ptr<internal::OneshotState<T>> s) : state_(std::move(s)) {}

  void Close() {
    if (state_ == nullptr) return;
    internal::ChangeAndMaybeWake(*state_, [&] {
      state_->sender_alive = false;
      return true;  // ready now: the receiver sees the error
    });
    state_.reset();
  }

  std::shared_ptr<internal::OneshotState<T>> state_;
};

template <typename T>
class OneshotReceiver {
 public:
  using IsSchedulerAwaitable = void;

  OneshotReceiver(OneshotReceiver&&) noexcept = default;
  OneshotReceiver& operator=(OneshotReceiver&&) noexcept = default;
  ~OneshotReceiver() {
    if (state_ == nullptr) return;
    absl::MutexLock lock(&state_->mu);
    state_->receiver_alive = false;
    state_->waiter = Waker();
  }

  class Awaiter {
   public:
    explicit Awaiter(internal::OneshotState<T>* s) : state_(s) {}
    bool await_ready() {
      absl::MutexLock lock(&state_->mu);
      return Ready();
    }
    bool await_suspend(std::coroutine_handle<> h) {
      return internal::SuspendUnlessReady(
          h, *state_, [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return Ready(); });
    }
    absl::StatusOr<T> await_resume() {
      absl::MutexLock lock(&state_->mu);
      if (!state_->value.has_value()) {
        return absl::CancelledError("oneshot sender made at " + FormatLocation(state_->location) +
                                    " was dropped without sending");
      }
      T value = std::move(*state_->value);
      state_->value.reset();
      return value;
    }

   private:
    bool Ready() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_->mu) {
      return state_->value.has_value() || !state_->sender_alive;
    }
    internal::OneshotState<T>* state_;
  };

  // Waits for the value. Await once.
  Awaiter operator co_await() & { return Awaiter(state_.get()); }
  Awaiter operator co_await() && { return Awaiter(state_.get()); }

 private:
  template <typename U>
  friend std::pair<OneshotSender<U>, OneshotReceiver<U>> MakeOneshot(std::source_location);
  explicit OneshotReceiver(std::shared_ptr<internal::OneshotState<T>> s) : state_(std::move(s)) {}

  std::shared_ptr<internal::OneshotState<T>> state_;
};

template <typename T>
std::pair<OneshotSender<T>, OneshotReceiver<T>> MakeOneshot(
    std::source_location location = std::source_location::current()) {
  auto state = std::make_shared<internal::OneshotState<T>>(location);
  return {OneshotSender<T>(state), OneshotReceiver<T>(state)};
}

}  // namespace scheduler

#endif  // SCHEDULER_ONESHOT_H_
