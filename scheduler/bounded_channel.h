// Bounded, watch and broadcast channels, and Select over channel receives.
//
//   auto [tx, rx] = MakeBoundedChannel<Job>(64);     // multi-producer, multi-consumer
//   absl::Status s = co_await tx.Send(job);          // waits while 64 are queued
//   std::optional<Job> j = co_await rx.Recv();       // nullopt: closed and drained
//
//   auto [wtx, wrx] = MakeWatch<Config>(initial);    // receivers see the latest value
//   wtx.Send(new_config);
//   while (co_await wrx.Changed()) Apply(wrx.Borrow());
//
//   // rx_a bounded, rx_b unbounded (channel.h): whichever has a value first.
//   std::variant<std::optional<A>, std::optional<B>> first = co_await Select(rx_a, rx_b);
//
//   auto [btx, brx] = MakeBroadcast<Event>(16);      // every receiver sees every value
//   absl::StatusOr<Event> e = co_await brx.Recv();   // DataLoss if it fell 16 behind
//
// BOUNDED CHANNEL. `Send` waits while `capacity` values are queued
// (backpressure); waiting senders and receivers are served in FIFO order, and
// a value goes straight to a waiting receiver. Senders and receivers are
// copyable handles (any number of each, on any thread). The channel closes
// when `Close()` is called on any handle, when the last sender is gone
// (receivers drain what is queued, then get nullopt), or when the last
// receiver is gone (queued values are destroyed). On close every waiter
// wakes: a waiting `Send` returns `absl::FailedPreconditionError` naming
// where the channel was made (its value is dropped), a waiting `Recv`
// returns nullopt once the queue is empty.
//
// CANCELLATION. A task cancelled while waiting in `Send` never sent its
// value (nothing half-sent); one cancelled after its value went into the
// queue has sent it. A task cancelled in `Recv` after a value was handed to
// it gives the value back to the front of the queue (or to the next waiting
// receiver), so no value is lost; `Select` does the same for the receives
// that lose. The queue is internal/channel_core.h, shared with the unbounded
// channel; the waiter protocol is internal/waiter_list.h, shared with sync.h.
//
// WATCH CHANNEL. One value, replaced by `Send`; every receiver sees the
// latest one. `Changed()` waits until a value newer than the last one this
// receiver saw (through `Changed` or `Borrow`) was sent, and returns false
// once the sender is gone. Copies of a receiver track what they saw
// separately. `Send` never waits.
#ifndef SCHEDULER_BOUNDED_CHANNEL_H_
#define SCHEDULER_BOUNDED_CHANNEL_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/channel.h"
#include "scheduler/combinators.h"
#include "scheduler/internal/channel_core.h"
#include "scheduler/internal/waiter_list.h"
#include "scheduler/task_metadata.h"

namespace scheduler {

template <typename T>
class BoundedReceiver;

template <typename T>
class BoundedSender {
 public:
  BoundedSender(const BoundedSender& other) : state_(other.state_) {
    if (state_ != nullptr) state_->AddSender();
  }
  BoundedSender(BoundedSender&&) noexcept = default;
  BoundedSender& operator=(BoundedSender other) noexcept {
    std::swap(state_, other.state_);
    return *this;
  }
  ~BoundedSender() {
    if (state_ != nullptr) state_->DropSender();
  }

  class SendAwaiter {
   public:
    using IsSchedulerAwaitable = void;
    SendAwaiter(std::shared_ptr<internal::ChannelCore<T>> state, T value)
        : state_(std::move(state)), inner_(state_->send_side(), 0) {
      inner_.node().value.emplace(std::move(value));
    }
    bool await_ready() { return inner_.await_ready(); }
    bool await_suspend(std::coroutine_handle<> h) { return inner_.await_suspend(h); }
    absl::Status await_resume() {
      return inner_.await_resume() == internal::kChannelOk ? absl::OkStatus()
                                                           : state_->ClosedError();
    }

   private:
    std::shared_ptr<internal::ChannelCore<T>> state_;  // outlives inner_'s node
    internal::WaitAwaiter<typename internal::ChannelCore<T>::SendSide, internal::ValueNode<T>>
        inner_;
  };

  // Waits for room, then queues `value` (or hands it to a waiting receiver).
  // Fails, dropping the value, if the channel is or becomes closed.
  SendAwaiter Send(T value) const { return SendAwaiter(Checked(), std::move(value)); }
  // Sends without waiting: ResourceExhausted if full (the value stays with
  // the caller), FailedPrecondition if closed.
  absl::Status TrySend(T& value) const { return Checked()->TrySend(value); }
  void Close() const { Checked()->Close(); }
  bool IsClosed() const { return Checked()->closed(); }

 private:
  template <typename U>
  friend std::pair<BoundedSender<U>, BoundedReceiver<U>> MakeBoundedChannel(size_t,
                                                                            std::source_location);
  explicit BoundedSender(std::shared_ptr<internal::ChannelCore<T>> s) : state_(std::move(s)) {}
  const std::shared_ptr<internal::ChannelCore<T>>& Checked() const {
    if (state_ == nullptr) internal::FatalError("use of a moved-from BoundedSender");
    return state_;
  }
  std::shared_ptr<internal::ChannelCore<T>> state_;
};

template <typename T>
class BoundedReceiver {
 public:
  BoundedReceiver(const BoundedReceiver& other) : state_(other.state_) {
    if (state_ != nullptr) state_->AddReceiver();
  }
  BoundedReceiver(BoundedReceiver&&) noexcept = default;
  BoundedReceiver& operator=(BoundedReceiver other) noexcept {
    std::swap(state_, other.state_);
    return *this;
  }
  ~BoundedReceiver() {
    if (state_ != nullptr) state_->DropReceiver();
  }

  using value_type = T;
  using RecvAwaiter = ChannelRecvAwaiter<T>;

  // Waits for the next value; nullopt once the channel is closed and empty.
  RecvAwaiter Recv() const { return RecvAwaiter(Checked()); }
  std::optional<T> TryRecv() const { return Checked()->TryRecv(); }
  void Close() const { Checked()->Close(); }
  size_t size() const { return Checked()->size(); }

 private:
  template <typename U>
  friend std::pair<BoundedSender<U>, BoundedReceiver<U>> MakeBoundedChannel(size_t,
                                                                            std::source_location);
  friend struct internal::ChannelAccess;
  explicit BoundedReceiver(std::shared_ptr<internal::ChannelCore<T>> s) : state_(std::move(s)) {}
  const std::shared_ptr<internal::ChannelCore<T>>& core() const { return Checked(); }
  const std::shared_ptr<internal::ChannelCore<T>>& Checked() const {
    if (state_ == nullptr) internal::FatalError("use of a moved-from BoundedReceiver");
    return state_;
  }
  std::shared_ptr<internal::ChannelCore<T>> state_;
};

// A channel holding at most `capacity` (>= 1; 0 is a fatal error naming the
// call site) queued values.
template <typename T>
std::pair<BoundedSender<T>, BoundedReceiver<T>> MakeBoundedChannel(
    size_t capacity, std::source_location location = std::source_location::current()) {
  if (capacity == 0) {
    internal::FatalError("MakeBoundedChannel with capacity 0 at " + FormatLocation(location));
  }
  auto state = std::make_shared<internal::ChannelCore<T>>(capacity, location);
  return {BoundedSender<T>(state), BoundedReceiver<T>(state)};
}

namespace internal {
// A value a Select branch received. Unless the Select takes it (the winner),
// it goes back to the front of its channel when destroyed: with the losing
// branch's Task, or with a branch of a Select that was itself cancelled, on
// whichever thread drops it last. So no value dies with a branch.
template <typename T>
class SelectedValue {
 public:
  SelectedValue(std::shared_ptr<ChannelCore<T>> core, std::optional<T> value)
      : core_(std::move(core)), value_(std::move(value)) {}
  SelectedValue(SelectedValue&& other) noexcept
      : core_(std::move(other.core_)), value_(std::exchange(other.value_, std::nullopt)) {}
  SelectedValue& operator=(SelectedValue&&) = delete;
  ~SelectedValue() {
    if (value_.has_value()) core_->Unreceive(std::move(*value_));
  }
  std::optional<T> Take() && { return std::exchange(value_, std::nullopt); }

 private:
  std::shared_ptr<ChannelCore<T>> core_;
  std::optional<T> value_;
};

template <typename T>
Future<SelectedValue<T>> RecvOnce(std::shared_ptr<ChannelCore<T>> core) {
  std::optional<T> value = co_await ChannelAccess::Recv(core);
  co_return SelectedValue<T>(std::move(core), std::move(value));
}
}  // namespace internal

// A receiving handle Select can receive from: a BoundedReceiver or an
// (unbounded) Receiver.
template <typename R>
concept SelectableReceiver = requires(const R& rx) {
  internal::ChannelAccess::Core(rx);
};

// Receives from whichever channel has a value first: the variant's
// alternative `i` is the result of `receivers[i].Recv()` (nullopt: that
// channel closed and drained). Bounded and unbounded receivers mix freely.
// The other receives are cancelled before this returns, and a value one of
// them had already taken goes back to the front of its channel, so nothing
// is lost; the same holds when the Select itself is cancelled (its task
// dropped, a losing Race branch, a WithTimeout expiring). When several are ready at once the lowest
// index wins. Runs the receives as branches (see combinators.h), so it must be awaited inside a
// task, at once (it refers to `receivers`).
//
// Watch and broadcast receivers are not selectable: `WatchReceiver::Changed`
// consumes nothing, so `Race` over `Changed()` calls already loses nothing;
// a broadcast receive that lost would have to move its receiver's cursor
// back, and the cursor belongs to the receiver object, not the channel.
template <SelectableReceiver... Rs>
Future<std::variant<std::optional<typename Rs::value_type>...>> Select(Rs&... receivers) {
  static_assert(sizeof...(Rs) > 0, "Select needs at least one receiver");
  using Result = std::variant<std::optional<typename Rs::value_type>...>;
  std::tuple<Task<internal::SelectedValue<typename Rs::value_type>>...> tasks{
      internal::SpawnBranch(internal::RecvOnce(internal::ChannelAccess::Core(receivers)), "Select",
                            std::source_location::current())...};
  std::vector<internal::TaskCoreBase*> cores = internal::CoresOf(tasks);
  const size_t winner = co_await internal::RaceBranches(std::move(cores));
  // The losers' values go back to their channels as `tasks` is destroyed,
  // before the awaiting task resumes.
  co_return [&]<size_t... Is>(std::index_sequence<Is...>) {
    std::optional<Result> result;
    ((Is == winner ? (void)result.emplace(std::in_place_index<Is>,
                                          std::get<Is>(tasks).TakeResult("Select").Take())
                   : (void)0),
     ...);
    return std::move(*result);
  }
  (std::index_sequence_for<Rs...>());
}

namespace internal {
template <typename T>
struct WatchState {
  explicit WatchState(T initial) : value(std::move(initial)) {}
  absl::Mutex mu_;
  T value ABSL_GUARDED_BY(mu_);
  uint64_t version ABSL_GUARDED_BY(mu_) = 1;
  bool sender_alive ABSL_GUARDED_BY(mu_) = true;
  WaiterList waiters_ ABSL_GUARDED_BY(mu_);

  // THE PRIMITIVE: a waiter's `want` is the version it saw.
  absl::Mutex& mu() { return mu_; }
  WaiterList& waiters() { return waiters_; }
  bool TryAcquire(WaiterNode& node, WakeList&) {
    if (version > node.want) {
      node.grant = version;
      return true;
    }
    if (!sender_alive) {
      node.grant = 0;  // closed
      return true;
    }
    return false;
  }
  void OnEnqueued(WaiterNode&) {}
  void OnUnlinked(WaiterNode&, WakeList&) {}
  void OnAbandoned(WaiterNode&, WakeList&) {}  // every waiter is told: nothing to pass on
};
}  // namespace internal

template <typename T>
class WatchReceiver;

template <typename T>
class WatchSender {
 public:
  WatchSender(WatchSender&&) noexcept = default;
  WatchSender& operator=(WatchSender&& other) noexcept {
    if (this != &other) {
      Close();
      state_ = std::move(other.state_);
    }
    return *this;
  }
  ~WatchSender() { Close(); }

  // Replaces the value and wakes every receiver waiting in `Changed`.
  void Send(T value) {
    internal::WakeList wakes;
    {
      absl::MutexLock lock(&state_->mu_);
      std::swap(state_->value, value);  // the old value dies outside the lock
      ++state_->version;
      state_->waiters_.NotifyAll(state_->version, wakes);
    }
    internal::WakeAll(wakes);
  }

 private:
  template <typename U>
  friend std::pair<WatchSender<U>, WatchReceiver<U>> MakeWatch(U);
  explicit WatchSender(std::shared_ptr<internal::WatchState<T>> s) : state_(std::move(s)) {}
  void Close() {
    if (state_ == nullptr) return;
    internal::WakeList wakes;
    {
      absl::MutexLock lock(&state_->mu_);
      state_->sender_alive = false;
      state_->waiters_.NotifyAll(0, wakes);
    }
    internal::WakeAll(wakes);
    state_.reset();
  }
  std::shared_ptr<internal::WatchState<T>> state_;
};

template <typename T>
class WatchReceiver {
 public:
  WatchReceiver(const WatchReceiver&) = default;
  WatchReceiver(WatchReceiver&&) noexcept = default;
  WatchReceiver& operator=(const WatchReceiver&) = default;
  WatchReceiver& operator=(WatchReceiver&&) noexcept = default;

  class ChangedAwaiter {
   public:
    using IsSchedulerAwaitable = void;
    ChangedAwaiter(WatchReceiver* rx) : rx_(rx), inner_(rx->state_.get(), rx->seen_) {}
    bool await_ready() { return inner_.await_ready(); }
    bool await_suspend(std::coroutine_handle<> h) { return inner_.await_suspend(h); }
    bool await_resume() {
      const uint64_t version = inner_.await_resume();
      if (version == 0) return false;
      rx_->seen_ = version;
      return true;
    }

   private:
    WatchReceiver* rx_;
    internal::WaitAwaiter<internal::WatchState<T>> inner_;
  };

  // Waits for a value newer than the last one this receiver saw; false once
  // the sender is gone (with nothing newer to see).
  ChangedAwaiter Changed() { return ChangedAwaiter(this); }
  // A copy of the latest value; marks it seen.
  T Borrow() {
    absl::MutexLock lock(&state_->mu_);
    seen_ = state_->version;
    return state_->value;
  }

 private:
  template <typename U>
  friend std::pair<WatchSender<U>, WatchReceiver<U>> MakeWatch(U);
  explicit WatchReceiver(std::shared_ptr<internal::WatchState<T>> s) : state_(std::move(s)) {}
  std::shared_ptr<internal::WatchState<T>> state_;
  uint64_t seen_ = 1;  // the initial value counts as seen
};

// A watch channel starting at `initial`.
template <typename T>
std::pair<WatchSender<T>, WatchReceiver<T>> MakeWatch(T initial) {
  auto state = std::make_shared<internal::WatchState<T>>(std::move(initial));
  return {WatchSender<T>(state), WatchReceiver<T>(state)};
}

namespace internal {
template <typename T>
struct BroadcastState {
  explicit BroadcastState(size_t capacity, std::source_location location)
      : capacity(capacity), location(location) {
    if (capacity == 0) {
      FatalError("MakeBroadcast with capacity 0 at " + FormatLocation(location));
    }
  }
  const size_t capacity;
  const std::source_location location;
  absl::Mutex mu_;
  std::deque<T> ring ABSL_GUARDED_BY(mu_);
  uint64_t head_seq ABSL_GUARDED_BY(mu_) = 0;  // sequence number of ring.front()
  uint64_t next_seq ABSL_GUARDED_BY(mu_) = 0;  // sequence number of the next Send
  int senders ABSL_GUARDED_BY(mu_) = 1;
  WaiterList waiters_ ABSL_GUARDED_BY(mu_);

  // THE PRIMITIVE: a waiter's `want` is its receiver's cursor.
  absl::Mutex& mu() { return mu_; }
  WaiterList& waiters() { return waiters_; }
  bool TryAcquire(WaiterNode& node, WakeList&) { return node.want < next_seq || senders == 0; }
  void OnEnqueued(WaiterNode&) {}
  void OnUnlinked(WaiterNode&, WakeList&) {}
  void OnAbandoned(WaiterNode&, WakeList&) {}  // values stay in the ring: nothing to hand back

  void Close(WakeList& wakes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (--senders == 0) waiters_.NotifyAll(0, wakes);
  }
};
}  // namespace internal

template <typename T>
class BroadcastReceiver;

// The sending side of a broadcast channel: every receiver gets every value
// sent after it subscribed, as long as it keeps up: the channel keeps the
// last `capacity` values, and a receiver that falls further behind is told
// how many it missed (`Recv` returns `absl::DataLossError`) and continues
// with the oldest value kept. `Send` never waits. Copyable; the channel
// closes when the last sender is gone.
template <typename T>
class BroadcastSender {
 public:
  BroadcastSender(const BroadcastSender& other) : state_(other.state_) {
    absl::MutexLock lock(&state_->mu_);
    ++state_->senders;
  }
  BroadcastSender(BroadcastSender&&) noexcept = default;
  BroadcastSender& operator=(const BroadcastSender&) = delete;
  ~BroadcastSender() {
    if (state_ == nullptr) return;  // moved from
    internal::WakeList wakes;
    {
      absl::MutexLock lock(&state_->mu_);
      state_->Close(wakes);
    }
    internal::WakeAll(wakes);
  }

  void Send(T value) {
    internal::WakeList wakes;
    std::optional<T> evicted;  // destroyed outside the lock
    {
      absl::MutexLock lock(&state_->mu_);
      if (state_->ring.size() == state_->capacity) {
        evicted.emplace(std::move(state_->ring.front()));
        state_->ring.pop_front();
        ++state_->head_seq;
      }
      state_->ring.push_back(std::move(value));
      ++state_->next_seq;
      state_->waiters_.NotifyAll(0, wakes);
    }
    internal::WakeAll(wakes);
  }

  // A new receiver that gets the values sent from now on.
  BroadcastReceiver<T> Subscribe() const {
    absl::MutexLock lock(&state_->mu_);
    return BroadcastReceiver<T>(state_, state_->next_seq);
  }

 private:
  template <typename U>
  friend std::pair<BroadcastSender<U>, BroadcastReceiver<U>> MakeBroadcast(size_t,
                                                                           std::source_location);
  explicit BroadcastSender(std::shared_ptr<internal::BroadcastState<T>> s) : state_(std::move(s)) {}
  std::shared_ptr<internal::BroadcastState<T>> state_;
};

// A receiving side of a broadcast channel. Copies continue from the same
// position independently. Thread-compatible: one task receives at a time.
template <typename T>
class BroadcastReceiver {
 public:
  class RecvAwaiter {
   public:
    using IsSchedulerAwaitable = void;
    explicit RecvAwaiter(BroadcastReceiver* rx) : rx_(rx), inner_(rx->state_.get(), rx->next_) {}
    bool await_ready() { return inner_.await_ready(); }
    bool await_suspend(std::coroutine_handle<> h) { return inner_.await_suspend(h); }
    absl::StatusOr<T> await_resume() {
      inner_.await_resume();
      return rx_->Take();
    }

   private:
    BroadcastReceiver* rx_;
    internal::WaitAwaiter<internal::BroadcastState<T>> inner_;
  };

  // The next value; `absl::DataLossError` (naming how many were missed) if
  // this receiver fell more than `capacity` behind; `absl::OutOfRangeError`
  // once every sender is gone and everything was received.
  RecvAwaiter Recv() { return RecvAwaiter(this); }

 private:
  template <typename U>
  friend std::pair<BroadcastSender<U>, BroadcastReceiver<U>> MakeBroadcast(size_t,
                                                                           std::source_location);
  friend class BroadcastSender<T>;
  BroadcastReceiver(std::shared_ptr<internal::BroadcastState<T>> s, uint64_t next)
      : state_(std::move(s)), next_(next) {}

  absl::StatusOr<T> Take() {
    absl::MutexLock lock(&state_->mu_);
    if (next_ < state_->head_seq) {
      const uint64_t missed = state_->head_seq - next_;
      next_ = state_->head_seq;
      return absl::DataLossError("broadcast receiver lagged: " + std::to_string(missed) +
                                 " values missed");
    }
    if (next_ < state_->next_seq) return state_->ring[next_++ - state_->head_seq];
    return absl::OutOfRangeError("broadcast channel made at " + FormatLocation(state_->location) +
                                 " is closed");
  }

  std::shared_ptr<internal::BroadcastState<T>> state_;
  uint64_t next_;
};

// A broadcast channel keeping the last `capacity` (>= 1) values.
template <typename T>
std::pair<BroadcastSender<T>, BroadcastReceiver<T>> MakeBroadcast(
    size_t capacity, std::source_location location = std::source_location::current()) {
  auto state = std::make_shared<internal::BroadcastState<T>>(capacity, location);
  return {BroadcastSender<T>(state), BroadcastReceiver<T>(state, 0)};
}

}  // namespace scheduler

#endif  // SCHEDULER_BOUNDED_CHANNEL_H_
