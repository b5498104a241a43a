// Internal: the queue shared by the unbounded channel (channel.h) and the
// bounded channel (bounded_channel.h), on the waiter-list protocol
// (waiter_list.h). The unbounded channel is this queue with no capacity limit
// and one receiver; keeping one implementation means both hand values to
// waiting receivers, give back values a cancelled receiver was handed, and
// close the same way, and Select works over either.
//
// A value enters the channel straight into the first waiting receiver's node
// (or the back of the queue); a waiting sender's value is moved in when room
// is made. A receiver cancelled after it was handed a value gives it back to
// the front (rule 4 of waiter_list.h: `OnAbandoned`).
#ifndef SCHEDULER_INTERNAL_CHANNEL_CORE_H_
#define SCHEDULER_INTERNAL_CHANNEL_CORE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <source_location>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/internal/waiter_list.h"
#include "scheduler/task_metadata.h"

namespace scheduler {
template <typename T>
class ChannelRecvAwaiter;  // channel.h
}  // namespace scheduler

namespace scheduler::internal {

// A waiter that carries a value: a sender's value until it is queued, or the
// value handed to a receiver.
template <typename T>
struct ValueNode : WaiterNode {
  std::optional<T> value;
};

// Grants of a channel wait.
inline constexpr uint64_t kChannelOk = 1;
inline constexpr uint64_t kChannelClosed = 2;

inline constexpr size_t kUnboundedCapacity = std::numeric_limits<size_t>::max();

template <typename T>
class ChannelCore {
 public:
  using value_type = T;

  ChannelCore(size_t capacity, std::source_location location)
      : capacity_(capacity), location_(location), send_side_{this}, recv_side_{this} {}
  ~ChannelCore() {
    // Handles keep the core alive, and a waiting task holds a handle.
    absl::MutexLock lock(&mu_);
    if (!send_waiters_.empty() || !recv_waiters_.empty()) {
      FatalError("channel made at " + FormatLocation(location_) +
                 " destroyed while tasks wait on it");
    }
  }
  ChannelCore(const ChannelCore&) = delete;
  ChannelCore& operator=(const ChannelCore&) = delete;

  // The two waiter lists as WaitAwaiter primitives (THE PRIMITIVE).
  struct SendSide {
    ChannelCore* s;
    absl::Mutex& mu() ABSL_LOCK_RETURNED(s->mu_) { return s->mu_; }
    WaiterList& waiters() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) { return s->send_waiters_; }
    bool TryAcquire(WaiterNode& n, WakeList& wakes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
      auto& node = static_cast<ValueNode<T>&>(n);
      if (s->closed_) {
        node.grant = kChannelClosed;
        return true;
      }
      if (s->queue_.size() >= s->capacity_ || !s->send_waiters_.empty()) return false;
      s->Deliver(std::move(*node.value), wakes);
      node.value.reset();
      node.grant = kChannelOk;
      return true;
    }
    void OnEnqueued(WaiterNode&) {}
    void OnUnlinked(WaiterNode&, WakeList&) {}   // never sent: nothing to undo
    void OnAbandoned(WaiterNode&, WakeList&) {}  // its value is already queued
  };
  struct RecvSide {
    ChannelCore* s;
    absl::Mutex& mu() ABSL_LOCK_RETURNED(s->mu_) { return s->mu_; }
    WaiterList& waiters() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) { return s->recv_waiters_; }
    bool TryAcquire(WaiterNode& n, WakeList& wakes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
      auto& node = static_cast<ValueNode<T>&>(n);
      if (!s->queue_.empty()) {
        node.value.emplace(std::move(s->queue_.front()));
        s->queue_.pop_front();
        s->AdmitWaitingSender(wakes);
        node.grant = kChannelOk;
        return true;
      }
      if (s->closed_) {
        node.grant = kChannelClosed;
        return true;
      }
      return false;
    }
    void OnEnqueued(WaiterNode&) {}
    void OnUnlinked(WaiterNode&, WakeList&) {}
    void OnAbandoned(WaiterNode& n, WakeList& wakes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
      auto& node = static_cast<ValueNode<T>&>(n);
      if (node.value.has_value()) s->Unreceive(std::move(*node.value), wakes);
    }
  };

  SendSide* send_side() { return &send_side_; }
  RecvSide* recv_side() { return &recv_side_; }
  const std::source_location& location() const { return location_; }

  // Queues `value` unless full (ResourceExhausted; `value` stays with the
  // caller) or closed (FailedPrecondition from ClosedError).
  absl::Status TrySend(T& value) {
    WakeList wakes;
    absl::Status status;
    {
      absl::MutexLock lock(&mu_);
      if (closed_) {
        status = ClosedError();
      } else if (queue_.size() >= capacity_ || !send_waiters_.empty()) {
        status = absl::ResourceExhaustedError("channel is full");
      } else {
        Deliver(std::move(value), wakes);
      }
    }
    WakeAll(wakes);
    return status;
  }

  std::optional<T> TryRecv() {
    WakeList wakes;
    std::optional<T> value;
    {
      absl::MutexLock lock(&mu_);
      if (!queue_.empty()) {
        value.emplace(std::move(queue_.front()));
        queue_.pop_front();
        AdmitWaitingSender(wakes);
      }
    }
    WakeAll(wakes);
    return value;
  }

  // Gives a value taken by a receive that lost a Select back to the front.
  void Unreceive(T value) {
    WakeList wakes;
    {
      absl::MutexLock lock(&mu_);
      Unreceive(std::move(value), wakes);
    }
    WakeAll(wakes);
  }

  void Close() {
    WakeList wakes;
    std::deque<T> dropped;  // destroyed outside the lock
    {
      absl::MutexLock lock(&mu_);
      CloseLocked(wakes);
      if (receivers_ == 0) dropped.swap(queue_);
    }
    WakeAll(wakes);
  }

  void AddSender() {
    absl::MutexLock lock(&mu_);
    ++senders_;
  }
  void AddReceiver() {
    absl::MutexLock lock(&mu_);
    ++receivers_;
  }
  // The last sender gone closes the channel: receivers drain, then see the end.
  void DropSender() {
    WakeList wakes;
    {
      absl::MutexLock lock(&mu_);
      if (--senders_ == 0) CloseLocked(wakes);
    }
    WakeAll(wakes);
  }
  // The last receiver gone closes the channel and destroys what is queued.
  void DropReceiver() {
    WakeList wakes;
    std::deque<T> dropped;
    {
      absl::MutexLock lock(&mu_);
      if (--receivers_ == 0) {
        CloseLocked(wakes);
        dropped.swap(queue_);
      }
    }
    WakeAll(wakes);
  }

  size_t size() const {
    absl::MutexLock lock(&mu_);
    return queue_.size();
  }
  bool closed() const {
    absl::MutexLock lock(&mu_);
    return closed_;
  }
  absl::Status ClosedError() const {
    return absl::FailedPreconditionError("channel made at " + FormatLocation(location_) +
                                         " is closed");
  }

 private:
  // A value enters the channel: straight to the first waiting receiver, or
  // to the back of the queue.
  void Deliver(T&& value, WakeList& wakes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!recv_waiters_.empty()) {
      static_cast<ValueNode<T>*>(recv_waiters_.front())->value.emplace(std::move(value));
      recv_waiters_.NotifyFront(kChannelOk, wakes);
    } else {
      queue_.push_back(std::move(value));
    }
  }
  // Room was made: the first waiting sender's value goes in.
  void AdmitWaitingSender(WakeList& wakes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (send_waiters_.empty() || queue_.size() >= capacity_) return;
    auto* sender = static_cast<ValueNode<T>*>(send_waiters_.front());
    Deliver(std::move(*sender->value), wakes);
    sender->value.reset();
    send_waiters_.NotifyFront(kChannelOk, wakes);
  }
  void Unreceive(T&& value, WakeList& wakes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!recv_waiters_.empty()) {
      Deliver(std::move(value), wakes);
    } else if (receivers_ > 0) {
      queue_.push_front(std::move(value));  // it was the oldest
    }
  }
  void CloseLocked(WakeList& wakes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (closed_) return;
    closed_ = true;
    send_waiters_.NotifyAll(kChannelClosed, wakes);
    // Waiting receivers mean an empty queue: they all see the end.
    recv_waiters_.NotifyAll(kChannelClosed, wakes);
  }

  const size_t capacity_;
  const std::source_location location_;
  mutable absl::Mutex mu_;
  std::deque<T> queue_ ABSL_GUARDED_BY(mu_);
  WaiterList send_waiters_ ABSL_GUARDED_BY(mu_);
  WaiterList recv_waiters_ ABSL_GUARDED_BY(mu_);
  int senders_ ABSL_GUARDED_BY(mu_) = 1;
  int receivers_ ABSL_GUARDED_BY(mu_) = 1;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  SendSide send_side_;
  RecvSide recv_side_;
};

// How Select reaches the core behind a receiver handle of either kind, and
// receives from it. Receivers befriend it and have `core()`, which is fatal
// on a moved-from handle.
struct ChannelAccess {
  template <typename Receiver>
  static auto Core(const Receiver& rx) -> decltype(rx.core()) {
    return rx.core();
  }
  template <typename T>
  static ChannelRecvAwaiter<T> Recv(std::shared_ptr<ChannelCore<T>> core) {
    return ChannelRecvAwaiter<T>(std::move(core));
  }
};

}  // namespace scheduler::internal

#endif  // SCHEDULER_INTERNAL_CHANNEL_CORE_H_
