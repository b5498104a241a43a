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
//
// CANCELLATION. A task cancelled in `Recv` after a value was handed to it
// gives the value back to the front of the queue, so no value is lost.
// `Select` (bounded_channel.h) receives from this channel and bounded ones
// alike. The channel shares its queue and waiter protocol with the bounded
// channel (internal/channel_core.h, internal/waiter_list.h).
#ifndef SCHEDULER_CHANNEL_H_
#define SCHEDULER_CHANNEL_H_

#include <coroutine>
#include <memory>
#include <optional>
#include <source_location>
#include <utility>

#include "absl/status/status.h"
#include "scheduler/internal/channel_core.h"
#include "scheduler/internal/waiter_list.h"

namespace scheduler {

// The awaitable a channel's `Recv()` returns (this channel's and the bounded
// channel's): yields the next value, or nullopt once the channel is closed
// and drained. Await it at once, inside a task; it keeps the channel alive.
template <typename T>
class ChannelRecvAwaiter {
 public:
  using IsSchedulerAwaitable = void;
  bool await_ready() { return inner_.await_ready(); }
  bool await_suspend(std::coroutine_handle<> h) { return inner_.await_suspend(h); }
  std::optional<T> await_resume() {
    inner_.await_resume();
    return std::exchange(inner_.node().value, std::nullopt);
  }

 private:
  template <typename U>
  friend class Receiver;
  template <typename U>
  friend class BoundedReceiver;
  friend struct internal::ChannelAccess;

  explicit ChannelRecvAwaiter(std::shared_ptr<internal::ChannelCore<T>> core)
      : core_(std::move(core)), inner_(core_->recv_side(), 0) {}

  std::shared_ptr<internal::ChannelCore<T>> core_;  // outlives inner_'s node
  internal::WaitAwaiter<typename internal::ChannelCore<T>::RecvSide, internal::ValueNode<T>> inner_;
};

template <typename T>
class Receiver;

template <typename T>
class Sender {
 public:
  Sender(const Sender& other) : core_(other.core_) {
    if (core_ != nullptr) core_->AddSender();
  }
  Sender(Sender&&) noexcept = default;
  Sender& operator=(Sender other) noexcept {
    std::swap(core_, other.core_);
    return *this;
  }
  ~Sender() {
    if (core_ != nullptr) core_->DropSender();
  }

  // Queues `value` (or hands it to the waiting receiver) and wakes the
  // receiver. Thread-safe.
  absl::Status Send(T value) const {
    if (core_ == nullptr) return absl::FailedPreconditionError("Send on a moved-from Sender");
    // Unbounded, and the senders keep it open: only a dropped receiver
    // closes it.
    if (!core_->TrySend(value).ok()) {
      return absl::FailedPreconditionError("channel receiver was dropped");
    }
    return absl::OkStatus();
  }

 private:
  template <typename U>
  friend std::pair<Sender<U>, Receiver<U>> MakeChannel(std::source_location);
  explicit Sender(std::shared_ptr<internal::ChannelCore<T>> core) : core_(std::move(core)) {}
  std::shared_ptr<internal::ChannelCore<T>> core_;
};

template <typename T>
class Receiver {
 public:
  using value_type = T;
  using RecvAwaiter = ChannelRecvAwaiter<T>;

  Receiver(Receiver&&) noexcept = default;
  Receiver& operator=(Receiver&& other) noexcept {
    std::swap(core_, other.core_);
    return *this;
  }
  ~Receiver() {
    if (core_ != nullptr) core_->DropReceiver();
  }

  // Awaits the next value; `std::nullopt` when the channel is closed and empty.
  RecvAwaiter Recv() { return RecvAwaiter(core()); }

  // The next value if one is queued, without waiting.
  std::optional<T> TryRecv() { return core()->TryRecv(); }

 private:
  friend struct internal::ChannelAccess;
  template <typename U>
  friend std::pair<Sender<U>, Receiver<U>> MakeChannel(std::source_location);
  explicit Receiver(std::shared_ptr<internal::ChannelCore<T>> core) : core_(std::move(core)) {}
  const std::shared_ptr<internal::ChannelCore<T>>& core() const {
    if (core_ == nullptr) internal::FatalError("use of a moved-from Receiver");
    return core_;
  }
  std::shared_ptr<internal::ChannelCore<T>> core_;
};

template <typename T>
std::pair<Sender<T>, Receiver<T>> MakeChannel(
    std::source_location location = std::source_location::current()) {
  auto core = std::make_shared<internal::ChannelCore<T>>(internal::kUnboundedCapacity, location);
  return {Sender<T>(core), Receiver<T>(core)};
}

}  // namespace scheduler

#endif  // SCHEDULER_CHANNEL_H_
