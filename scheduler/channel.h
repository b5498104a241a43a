// Channel: an unbounded multi-producer, single-consumer queue between tasks.
//
//   auto [tx, rx] = MakeChannel<std::string>();
//   tx.Send("hello");                          // any thread, never blocks
//   std::optional<std::string> m = co_await rx.Recv();   // in a task
//
// `Recv` yields values in send order and `std::nullopt` once every Sender is
// destroyed and the queue is drained. `Send` fails with
// `absl::FailedPreconditionError` (dropping the value) once the Receiver is
// gone. Senders are copyable; the Receiver is move-only. Values still queued
// when both sides are gone are destroyed with the channel: nothing leaks.
#ifndef SCHEDULER_CHANNEL_H_
#define SCHEDULER_CHANNEL_H_

#include <coroutine>
#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/internal/single_waiter.h"
#include "scheduler/waker.h"

namespace scheduler {

namespace internal {
template <typename T>
struct ChannelState {
  absl::Mutex mu;
  std::deque<T> queue ABSL_GUARDED_BY(mu);
  int senders ABSL_GUARDED_BY(mu) = 1;
  bool receiver_alive ABSL_GUARDED_BY(mu) = true;
  Waker waiter ABSL_GUARDED_BY(mu);
};
}  // namespace internal

template <typename T>
class Receiver;

template <typename T>
class Sender {
 public:
  Sender(const Sender& other) : state_(other.state_) {
    if (state_ == nullptr) return;
    absl::MutexLock lock(&state_->mu);
    ++state_->senders;
  }
  Sender(Sender&&) noexcept = default;
  Sender& operator=(Sender other) noexcept {
    std::swap(state_, other.state_);
    return *this;
  }
  ~Sender() {
    if (state_ == nullptr) return;
    internal::ChangeAndMaybeWake(*state_, [&] { return --state_->senders == 0; });
  }

  // Queues `value` and wakes the receiver. Thread-safe.
  absl::Status Send(T value) const {
    if (state_ == nullptr) return absl::FailedPreconditionError("Send on a moved-from Sender");
    bool delivered = false;
    internal::ChangeAndMaybeWake(*state_, [&] {
      if (!state_->receiver_alive) return false;
      state_->queue.push_back(std::move(value));
      delivered = true;
      return true;
    });
    return delivered ? absl::OkStatus()
                     : absl::FailedPreconditionError("channel receiver was dropped");
  }

 private:
  template <typename U>
  friend std::pair<Sender<U>, Receiver<U>> MakeChannel();
  explicit Sender(std::shared_ptr<internal::ChannelState<T>> s) : state_(std::move(s)) {}
  std::shared_ptr<internal::ChannelState<T>> state_;
};

template <typename T>
class Receiver {
 public:
  Receiver(Receiver&&) noexcept = default;
  Receiver& operator=(Receiver&&) noexcept = default;
  ~Receiver() {
    if (state_ == nullptr) return;
    std::deque<T> drained;  // destroyed outside the lock
    absl::MutexLock lock(&state_->mu);
    state_->receiver_alive = false;
    state_->waiter = Waker();
    drained.swap(state_->queue);
  }

  class RecvAwaiter {
   public:
    using IsSchedulerAwaitable = void;
    explicit RecvAwaiter(internal::ChannelState<T>* s) : state_(s) {}
    bool await_ready() {
      absl::MutexLock lock(&state_->mu);
      return Ready();
    }
    bool await_suspend(std::coroutine_handle<> h) {
      return internal::SuspendUnlessReady(
          h, *state_, [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return Ready(); });
    }
    std::optional<T> await_resume() { return PopFront(*state_); }

   private:
    bool Ready() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_->mu) {
      return !state_->queue.empty() || state_->senders == 0;
    }
    internal::ChannelState<T>* state_;
  };

  // Awaits the next value; `std::nullopt` when the channel is closed and empty.
  RecvAwaiter Recv() { return RecvAwaiter(state_.get()); }

  // The next value if one is queued, without waiting.
  std::optional<T> TryRecv() { return PopFront(*state_); }

 private:
  static std::optional<T> PopFront(internal::ChannelState<T>& state) {
    absl::MutexLock lock(&state.mu);
    if (state.queue.empty()) return std::nullopt;
    T value = std::move(state.queue.front());
    state.queue.pop_front();
    return value;
  }

  template <typename U>
  friend std::pair<Sender<U>, Receiver<U>> MakeChannel();
  explicit Receiver(std::shared_ptr<internal::ChannelState<T>> s) : state_(std::move(s)) {}
  std::shared_ptr<internal::ChannelState<T>> state_;
};

template <typename T>
std::pair<Sender<T>, Receiver<T>> MakeChannel() {
  auto state = std::make_shared<internal::ChannelState<T>>();
  return {Sender<T>(state), Receiver<T>(state)};
}

}  // namespace scheduler

#endif  // SCHEDULER_CHANNEL_H_
