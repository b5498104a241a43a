// Internal: the one waiter protocol of every primitive and channel: the
// synchronization primitives (sync.h), the oneshot (oneshot.h), the unbounded
// and bounded channels (channel_core.h), watch and broadcast
// (bounded_channel.h). So all of them wake waiters the same way.
//
// A primitive keeps its state and a WaiterList under one absl::Mutex (`mu`).
// An awaiting task is a WaiterNode inside its awaiter object, which lives in
// the coroutine frame, so the node's address is stable while the task is
// suspended and the node dies with the frame if the task is cancelled.
//
// NODE STATES (changed only under `mu`, except kIdle -> kQueued setup and the
// resume, see below):
//   kIdle      not queued: before the await, or after a fast-path success.
//   kQueued    in the list, holding the task's Waker.
//   kNotified  taken out by a notifier, which granted it what it waited for
//              (`grant`) and wakes it after unlocking.
//   kConsumed  the task resumed and took the grant.
//
// RULES.
// 1. No lost wake-up: the readiness check and the enqueue happen in one
//    critical section (`await_suspend`), and every change that can make a
//    waiter ready notifies under the same mutex; whichever comes second sees
//    the other.
// 2. No double resume: only the notifier that pops a node wakes it, once,
//    with the Waker the node held; a node is popped at most once. A Waker
//    that fires after its task has moved on is refused by the task core
//    (task_core.h, STALE WAKE-UPS).
// 3. A resumed task finds its node kNotified: nothing else wakes it (rule 2).
// 4. Cancellation: an awaiter destroyed before it resumed (its task was
//    cancelled at this await) locks `mu` in its destructor. A kQueued node is
//    unlinked (`OnUnlinked`: it held nothing, but its leaving may let the
//    waiters behind it go, e.g. a semaphore's head asking for many permits);
//    a kNotified node owns a grant nobody will use, so it is handed back
//    (`OnAbandoned`: a mutex passes the lock on, a semaphore returns its
//    permits). So a cancelled waiter never loses a grant and never keeps one.
// 5. Wakers are collected under `mu` into a WakeList and woken after
//    unlocking (a wake-up may run code that takes `mu` on the same thread).
//
// THE PRIMITIVE provides, all called with `mu` held:
//   bool TryAcquire(WaiterNode&, WakeList&)   ready now? If so set `grant`
//                                  and take it (collecting any waiters it
//                                  releases, as a barrier's last arrival
//                                  does). Must have no effect when it returns
//                                  false (it is asked twice: await_ready,
//                                  then await_suspend).
//   void OnEnqueued(WaiterNode&)   the node was queued.
//   void OnUnlinked(WaiterNode&, WakeList&)   a queued node was cancelled.
//   void OnAbandoned(WaiterNode&, WakeList&)  a notified node was cancelled.
//   absl::Mutex& mu(), WaiterList& waiters()
#ifndef SCHEDULER_INTERNAL_WAITER_LIST_H_
#define SCHEDULER_INTERNAL_WAITER_LIST_H_

#include <coroutine>
#include <cstdint>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/waker.h"

namespace scheduler::internal {

// Wakers to wake once the primitive's mutex is released. Inline storage: a
// hand-off wakes one, so it allocates nothing.
using WakeList = absl::InlinedVector<Waker, 2>;

inline void WakeAll(WakeList& wakes) {
  for (const Waker& w : wakes) w.Wake();
  wakes.clear();
}

struct WaiterNode {
  enum class State : uint8_t { kIdle, kQueued, kNotified, kConsumed };
  WaiterNode* prev = nullptr;
  WaiterNode* next = nullptr;
  Waker waker;
  State state = State::kIdle;
  // Set once the node was queued, until its task resumed: only then may the
  // list or a notifier still refer to it. Touched only by the awaiting task
  // (WaitAwaiter); here rather than in the awaiter because it fits in the
  // padding after `state` (8 bytes less in every frame that awaits).
  bool enqueued = false;
  uint64_t want = 0;   // what it waits for (primitive-defined, e.g. permits)
  uint64_t grant = 0;  // what it was given (primitive-defined)
};

// An intrusive FIFO of nodes. Not thread-safe: guarded by the owner's mutex.
class WaiterList {
 public:
  WaiterList() = default;
  WaiterList(const WaiterList&) = delete;
  WaiterList& operator=(const WaiterList&) = delete;

  bool empty() const { return head_ == nullptr; }
  WaiterNode* front() const { return head_; }

  void PushBack(WaiterNode* node, Waker waker) {
    node->waker = std::move(waker);
    node->state = WaiterNode::State::kQueued;
    node->prev = tail_;
    node->next = nullptr;
    (tail_ == nullptr ? head_ : tail_->next) = node;
    tail_ = node;
  }

  void Remove(WaiterNode* node) {
    (node->prev == nullptr ? head_ : node->prev->next) = node->next;
    (node->next == nullptr ? tail_ : node->next->prev) = node->prev;
    node->prev = node->next = nullptr;
  }

  // Pops the front node, grants it `grant` and adds its Waker to `wakes`.
  void NotifyFront(uint64_t grant, WakeList& wakes) {
    WaiterNode* node = head_;
    Remove(node);
    node->grant = grant;
    node->state = WaiterNode::State::kNotified;
    wakes.push_back(std::move(node->waker));
  }

  void NotifyAll(uint64_t grant, WakeList& wakes) {
    while (!empty()) NotifyFront(grant, wakes);
  }

 private:
  WaiterNode* head_ = nullptr;
  WaiterNode* tail_ = nullptr;
};

// The awaiter of one wait on primitive `P` (see THE PRIMITIVE). Yields the
// node's grant. `Node` may extend WaiterNode with a payload (a channel's
// value); the hooks get it as `Node&`. Movable only before the await starts
// (the compiler may move it into the frame); once queued, the list points at
// its node.
template <typename P, typename Node = WaiterNode>
class WaitAwaiter {
 public:
  using IsSchedulerAwaitable = void;

  WaitAwaiter(P* primitive, uint64_t want) : primitive_(primitive) { node_.want = want; }
  WaitAwaiter(WaitAwaiter&& other) noexcept
      : primitive_(other.primitive_), node_(std::move(other.node_)) {
    if (other.node_.enqueued) FatalError("waiter list: an awaiter moved while it waits");
  }

  // The node, for setting or taking its payload (before or after the await).
  Node& node() { return node_; }
  // The primitive waited on (awaiters that wrap this one need not keep it).
  P* primitive() const { return primitive_; }
  WaitAwaiter& operator=(WaitAwaiter&&) = delete;

  ~WaitAwaiter() {
    if (!node_.enqueued) return;
    // Rule 4: destroyed while queued or notified, i.e. the task was
    // cancelled at this await.
    WakeList wakes;
    {
      absl::MutexLock lock(&primitive_->mu());
      if (node_.state == WaiterNode::State::kQueued) {
        primitive_->waiters().Remove(&node_);
        node_.state = WaiterNode::State::kIdle;
        node_.waker = Waker();
        primitive_->OnUnlinked(node_, wakes);
      } else if (node_.state == WaiterNode::State::kNotified) {
        node_.state = WaiterNode::State::kIdle;
        primitive_->OnAbandoned(node_, wakes);
      }
    }
    WakeAll(wakes);
  }

  bool await_ready() {
    WakeList wakes;
    bool ready;
    {
      absl::MutexLock lock(&primitive_->mu());
      ready = primitive_->TryAcquire(node_, wakes);
    }
    WakeAll(wakes);
    return ready;
  }

  bool await_suspend(std::coroutine_handle<> h) {
    Waker waker = SuspendCurrentTask(h);
    WakeList wakes;
    {
      absl::MutexLock lock(&primitive_->mu());
      if (!primitive_->TryAcquire(node_, wakes)) {
        primitive_->waiters().PushBack(&node_, std::move(waker));
        primitive_->OnEnqueued(node_);
        node_.enqueued = true;
        return true;
      }
    }
    WakeAll(wakes);
    return false;  // ready after all; `waker` is dropped, never kept
  }

  uint64_t await_resume() {
    if (node_.enqueued) {
      // Rule 3. The notifier's writes happen-before this step (the wake-up
      // goes through the task core's acq_rel state word and the scheduler).
      if (node_.state != WaiterNode::State::kNotified) {
        FatalError("waiter list: a task resumed without being notified");
      }
      node_.state = WaiterNode::State::kConsumed;
      node_.enqueued = false;
    }
    return node_.grant;
  }

 private:
  P* const primitive_;
  Node node_;
};

}  // namespace scheduler::internal

#endif  // SCHEDULER_INTERNAL_WAITER_LIST_H_
