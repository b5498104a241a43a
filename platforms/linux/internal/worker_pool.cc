#include "platforms/linux/internal/worker_pool.h"

#include <pthread.h>
#include <sys/prctl.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "platforms/internal/dispatcher_step.h"
#include "scheduler/internal/task_core.h"

namespace scheduler::dispatcher_internal {

using internal::RunnableAccess;
using internal::TaskCoreBase;

// WAKE-UPS (after tokio's idle protocol). `idle_state_` counts the workers
// that are unparked (awake) and, among them, those searching for work
// (stealing or about to). Every push, to a local queue or the injector, is
// followed by NotifyOne, which wakes one parked worker only if nobody is
// searching and somebody is parked. A woken worker starts out searching, so
// the pushes that follow while it wakes up wake nobody else; when a searcher
// finds work it stops searching, and if it was the last searcher and work is
// still queued, it calls NotifyOne itself (see TransitionFromSearching). A burst of spawns
// therefore ramps the pool up one worker at a time, with one FUTEX_WAKE per woken worker rather
// than per task. At most half of the workers search at once (the rest park), so idle workers do not
// all spin on one victim.
//
// WHY NO TASK IS STRANDED. A worker parks in three ordered steps: (1) under
// sleepers_mu_ it lists itself in sleepers_ and decrements idle_state_ (a
// seq_cst read-modify-write), (2) a seq_cst fence, then (3) it looks at every
// queue (WorkPending) and goes back to work instead of sleeping if anything
// is there. A pusher (a) publishes its task, (b) issues a seq_cst fence, then
// (c) reads idle_state_. By the fences' total order, either (c) sees the
// decrement of (1) (so the pusher wakes a parked worker, unless a searcher
// exists, which will itself park through the same steps and see the task in
// its (3)), or (3) sees the task of (a). (Under ThreadSanitizer, which does
// not model fences, both sides use read-modify-writes of idle_state_ instead;
// see ReadIdleStateAfterPush.) Wakers never sleep on a
// lock held across a system call: FUTEX_WAKE happens after unlocking.
//
// FAIRNESS. A worker takes work in this order: its LIFO slot (at most
// kMaxLifoStreak times in a row), fired timers (due_, see TIMERS; at most
// kMaxDueStreak of them before one pick goes elsewhere), its local queue
// (FIFO), the injector, then newly due timers, then other workers' queues
// (stealing half). Every kGlobalQueueInterval-th pick looks at the injector
// *first*, and every kTimerCheckInterval-th pick fires due timers first (into
// due_). So a Runnable in the injector waits at most kGlobalQueueInterval
// picks of some worker (each worker checks it at least that often while busy,
// and first thing when its own queue is empty); one in a local queue waits at
// most for the tasks ahead of it in that queue plus, before each pick from
// that queue, up to kMaxDueStreak fired timers with up to kMaxLifoStreak LIFO
// runs around each (a fired timer's pick restarts the LIFO streak, so the
// bound is kMaxDueStreak * (kMaxLifoStreak + 1) + kMaxLifoStreak picks), or
// is stolen; a yielding task goes to the back of its worker's local queue,
// behind everything queued there. Nothing can be overtaken forever.
//
// PRIORITIES (TaskMetadata::priority). Medium-priority runnables (the
// default) take the paths above and below, unchanged. High- and low-priority
// runnables always go to a pool-wide queue of their own (high_, low_), never
// to a local queue or the LIFO slot, so any worker can see them at once. The
// rule, per worker and per pick:
//   1. every kLowInterval-th pick (16) takes a low-priority runnable first,
//      if one is queued;
//   2. otherwise a queued high-priority runnable is taken before anything
//      else, unless this worker's last kMaxHighStreak (4) picks were all
//      high-priority: then this pick follows the normal order (LIFO slot,
//      local queue, injector, timers, stealing) and the streak restarts;
//   3. a worker that finds nothing in the normal order takes high, then low
//      work before it parks.
// So high work waits for at most one pick of each busy worker (plus the
// steps already running); medium work gets at least one pick in
// kMaxHighStreak + 1 of every busy worker even under a flood of high work;
// low work runs whenever a worker has nothing else, and otherwise waits at
// most kLowInterval picks of some busy worker. Nothing starves. The normal
// path pays one relaxed read of prioritized_ (the number of queued high-
// and low-priority runnables, a line written only when such work is queued
// or taken) per pick, and one read of the task's priority per push. The idle protocol
// is the injector's: pushes are followed by NotifyOne and WorkPending looks
// at both queues.
//
// LIFO SLOT (as in tokio). A task woken or spawned from inside a step (or by
// a task's completion, which wakes its awaiter) goes to the running worker's
// private slot and runs right after the current step: no queue traffic, and
// the data the two tasks share is still in this core's cache. The slot's
// previous occupant moves to the local queue. After kMaxLifoStreak slot runs
// in a row the slot's task goes to the back of the local queue. A task
// rescheduled after its own step (Yield, or woken during its step) never
// takes the slot: it goes behind everything else queued on this worker.
//
// TIMERS. Armed timers live in one heap under timers_mu_. Workers fire due
// timers themselves: at every kTimerCheckInterval-th pick, whenever they run
// out of local work, and before parking. Fired (medium-priority background)
// timers go, in deadline order, to due_, a pool-wide FIFO that every pick
// looks at first (one relaxed load of its size hint), so any running worker
// takes them ahead of queued spawns and yields: a fired timer is late already,
// and behind a local queue or the injector it waited for the whole backlog
// (measured: batches of hundreds of timers fired at one check, overflowing the
// firing worker's local queue to the back of the injector, queued p90 77 ms
// behind a spawn burst; see BENCHMARKS.md, issue 11's fourth step). The
// streak bound kMaxDueStreak keeps a flood of short timers from starving the
// other queues (a self-re-arming timer task otherwise could). At
// most one parked worker (timer_sleeper_) sleeps with a deadline, the earliest
// one; the others sleep without one. Arming a timer earlier than that
// deadline unparks the timer sleeper (it re-parks with the new deadline);
// arming one while no worker sleeps on timers wakes a parked worker to become
// it (workers list themselves in sleepers_ before they choose a deadline, so
// the worker that arms sees either the new sleeper or, under timers_mu_, the
// sleeper sees the new timer). No dedicated thread, no hand-off: a timer due
// while every worker is parked costs one futex wake-up, in the worker that
// runs it. Cancelled timers leave the heap at once (CancelTimer).
//
// STOP. Stop closes the injector and the timer heap (draining both), sets
// stopped_ and unparks every worker. A worker checks stopped_ before every
// pick and after parking; on its way out it moves its LIFO slot and local
// queue to leftovers_, which Join hands to the dispatcher after joining, so
// no frame is destroyed while another worker's last step may still run.

namespace {

constexpr int kMaxLifoStreak = 3;
constexpr int kMaxHighStreak = 4;
constexpr uint32_t kLowInterval = 16;  // a power of two: tested with a mask
constexpr uint32_t kGlobalQueueInterval = 61;
// Busy workers look at the timer heap this often: one load of
// earliest_timer_ns_, plus a clock read (vDSO) when a timer is armed.
constexpr uint32_t kTimerCheckInterval = 8;
constexpr int kMaxDueStreak = 16;
constexpr uint32_t kSearchingMask = 0xFFFF;
constexpr uint32_t kUnparkedUnit = 1u << 16;

thread_local const WorkerPool* current_pool = nullptr;
thread_local void* current_worker = nullptr;

// Unlinks a chain of queued tasks (see QUEUE LINK in task_core.h) into
// Runnables, oldest first.
void AdoptChain(TaskCoreBase* task, std::vector<Runnable>& out) {
  while (task != nullptr) {
    TaskCoreBase* next = task->queue_next();
    task->queue_next() = nullptr;
    out.push_back(RunnableAccess::Adopt(task));
    task = next;
  }
}

constexpr int64_t ToNanos(Instant t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// earliest_timer_ns_ when no timer is armed.
constexpr int64_t kNoTimerNs = ToNanos(Instant::max());

}  // namespace

// Steps (b)-(c) of WHY NO TASK IS STRANDED. ThreadSanitizer does not model
// fences, so under it the read is a read-modify-write instead, which is
// correct on its own: it and the parker's decrement are RMWs of one variable,
// so one of them reads the other's value; if the parker's comes second, it
// synchronizes with ours and so sees the task published before it.
uint32_t WorkerPool::ReadIdleStateAfterPush() {
#if defined(__SANITIZE_THREAD__)
  return idle_state_.fetch_add(0, std::memory_order_seq_cst);
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
  return idle_state_.load(std::memory_order_seq_cst);
#endif
}

struct WorkerPool::Worker {
  explicit Worker(int i) : index(i) {}
  LocalQueue queue;
  FutexParker parker;
  const int index;
  // Owner thread only.
  TaskCoreBase* lifo = nullptr;
  int lifo_streak = 0;
  int high_streak = 0;          // consecutive high-priority picks (see PRIORITIES)
  int due_streak = 0;           // picks from due_ since one went elsewhere (FAIRNESS)
  uint32_t last_high_tick = 0;  // the tick of the last high-priority pick
  uint32_t tick = 0;
  bool searching = false;
  uint32_t rng = 0;
  std::vector<Runnable> due;  // scratch for FireDueTimers
  // Guarded by sleepers_mu_: listed in sleepers_ (and not yet claimed by a
  // NotifyOne, which counts the worker unparked and searching for it).
  bool sleeping = false;
};

std::shared_ptr<WorkerPool> WorkerPool::Start(Options options) {
  std::shared_ptr<WorkerPool> pool(new WorkerPool(std::move(options)));
  pool->threads_.reserve(pool->workers_.size());
  for (int i = 0; i < pool->size(); ++i) {
    pool->threads_.emplace_back(
        [pool, i, thread_name = std::string(pool->options_.name) + "-" + std::to_string(i)] {
          pthread_setname_np(pthread_self(), thread_name.substr(0, 15).c_str());
          pool->WorkerMain(i);
        });
  }
  return pool;
}

WorkerPool::WorkerPool(Options options)
    : options_(std::move(options)), earliest_timer_ns_(kNoTimerNs) {
  const int n = std::max(options_.threads, 1);
  workers_.reserve(n);
  for (int i = 0; i < n; ++i) {
    workers_.push_back(std::make_unique<Worker>(i));
    workers_.back()->rng = 0x9E3779B9u * static_cast<uint32_t>(i + 1);
  }
  idle_state_.store(static_cast<uint32_t>(n) * kUnparkedUnit);
}

WorkerPool::~WorkerPool() = default;

bool WorkerPool::IsWorkerThread() const { return current_pool == this; }

size_t WorkerPool::armed_timers() {
  std::lock_guard<std::mutex> lock(timers_mu_);
  return timers_.size();
}

Runnable WorkerPool::Push(Runnable runnable) {
  TaskCoreBase* task = RunnableAccess::Release(runnable);
  if (task->metadata().priority != Priority::kMedium) [[unlikely]] {
    if (!PushPrioritized(task)) return RunnableAccess::Adopt(task);
    return Runnable();
  }
  if (current_pool == this) {
    Worker& self = *static_cast<Worker*>(current_worker);
    if (stopped_.load(std::memory_order_relaxed)) return RunnableAccess::Adopt(task);
    if (options_.lifo_slot && internal::InsideStep()) {
      task = std::exchange(self.lifo, task);
      if (task == nullptr) return Runnable();
    }
    PushLocal(self, task);
    return Runnable();
  }
  if (!injector_.Push(task)) return RunnableAccess::Adopt(task);
  NotifyOne();
  return Runnable();
}

bool WorkerPool::PushPrioritized(TaskCoreBase* task) {
  Injector& queue = task->metadata().priority == Priority::kHigh ? high_ : low_;
  // Counted first, so a worker never misses queued work because of the
  // hint (it may see the count before the task and find nothing, which
  // costs one look).
  prioritized_.fetch_add(1, std::memory_order_relaxed);
  if (!queue.Push(task)) {
    prioritized_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  NotifyOne();
  return true;
}

void WorkerPool::PushLocal(Worker& self, TaskCoreBase* task, bool notify) {
  if (!self.queue.TryPush(task)) {
    // Full: move the older half and this task to the injector, where any
    // worker can take them (tokio's overflow rule), keeping pushes O(1).
    uint32_t count = 0;
    TaskCoreBase* first = self.queue.TakeHalfForOverflow(&count);
    TaskCoreBase* last = task;
    if (first != nullptr) {
      TaskCoreBase* tail = first;
      while (tail->queue_next() != nullptr) tail = tail->queue_next();
      tail->queue_next() = task;
    } else {
      first = task;
    }
    if (!injector_.PushChain(first, last, count + 1)) {
      std::lock_guard<std::mutex> lock(leftovers_mu_);
      AdoptChain(first, leftovers_);
      return;
    }
    notify = true;  // the injector's share is for everyone
  }
  if (notify) NotifyOne();
}

Runnable WorkerPool::AddTimer(Instant deadline, Runnable runnable) {
  bool wake_sleeper = false;
  bool wake_any = false;
  int sleeper = -1;
  {
    std::lock_guard<std::mutex> lock(timers_mu_);
    if (timers_stopped_) return runnable;
    const Instant before = timers_.earliest();
    timers_.Push(deadline, std::move(runnable));
    if (deadline < before) {
      earliest_timer_ns_.store(ToNanos(deadline), std::memory_order_release);
      if (timer_sleeper_ >= 0) {
        if (deadline < timer_sleeper_until_) {
          wake_sleeper = true;
          sleeper = timer_sleeper_;
        }
      } else {
        wake_any = true;
      }
    }
  }
  if (wake_sleeper) {
    workers_[sleeper]->parker.Unpark();
  } else if (wake_any) {
    // Nobody sleeps on the timers: wake any parked worker so that one does
    // (busy workers look at the heap on their own; see TIMERS).
    int chosen = -1;
    {
      std::lock_guard<std::mutex> lock(sleepers_mu_);
      if (!sleepers_.empty()) chosen = sleepers_.back();
    }
    if (chosen >= 0) workers_[chosen]->parker.Unpark();
  }
  return Runnable();
}

Runnable WorkerPool::CancelTimer(TaskCoreBase* task) {
  std::lock_guard<std::mutex> lock(timers_mu_);
  Runnable removed = timers_.Remove(task);
  if (removed) earliest_timer_ns_.store(ToNanos(timers_.earliest()), std::memory_order_release);
  return removed;
}

bool WorkerPool::FireDueTimers(Worker* self) {
  const int64_t earliest = earliest_timer_ns_.load(std::memory_order_acquire);
  if (earliest == kNoTimerNs) return false;
  const Instant now = std::chrono::steady_clock::now();
  if (ToNanos(now) < earliest) return false;
  std::vector<Runnable>& due = self->due;
  {
    std::lock_guard<std::mutex> lock(timers_mu_);
    if (timers_stopped_) return false;
    timers_.TakeDue(now, due);
    earliest_timer_ns_.store(ToNanos(timers_.earliest()), std::memory_order_release);
  }
  // Medium-priority ones, chained in deadline order for one push to due_.
  TaskCoreBase* first = nullptr;
  TaskCoreBase* last = nullptr;
  uint32_t count = 0;
  for (Runnable& runnable : due) {
    if (runnable.metadata().is_foreground()) {
      Runnable refused = options_.foreground(std::move(runnable));
      if (refused) {
        std::lock_guard<std::mutex> lock(leftovers_mu_);
        leftovers_.push_back(std::move(refused));
      }
    } else if (runnable.metadata().priority != Priority::kMedium) {
      TaskCoreBase* task = RunnableAccess::Release(runnable);
      if (!PushPrioritized(task)) {
        std::lock_guard<std::mutex> lock(leftovers_mu_);
        leftovers_.push_back(RunnableAccess::Adopt(task));
      }
    } else {
      TaskCoreBase* task = RunnableAccess::Release(runnable);
      if (last == nullptr) {
        first = task;
      } else {
        last->queue_next() = task;
      }
      last = task;
      ++count;
    }
  }
  due.clear();
  if (first == nullptr) return false;
  if (!due_.PushChain(first, last, count)) {
    std::lock_guard<std::mutex> lock(leftovers_mu_);
    AdoptChain(first, leftovers_);
    return false;
  }
  NotifyOne();
  return true;
}

void WorkerPool::NotifyOne() {
  const uint32_t n = static_cast<uint32_t>(workers_.size());
  uint32_t state = ReadIdleStateAfterPush();
  if ((state & kSearchingMask) != 0 || (state >> 16) >= n) return;
  int chosen;
  {
    std::lock_guard<std::mutex> lock(sleepers_mu_);
    state = idle_state_.load(std::memory_order_seq_cst);
    if ((state & kSearchingMask) != 0 || sleepers_.empty()) return;
    chosen = sleepers_.back();
    sleepers_.pop_back();
    workers_[chosen]->sleeping = false;
    // Counted awake and searching on its behalf, so that the pushes that
    // follow while it wakes up do not wake the others too.
    idle_state_.fetch_add(kUnparkedUnit + 1, std::memory_order_seq_cst);
  }
  workers_[chosen]->parker.Unpark();
}

bool WorkerPool::TransitionToSearching(Worker& self) {
  if (self.searching) return true;
  const uint32_t state = idle_state_.load(std::memory_order_seq_cst);
  if (2 * static_cast<size_t>(state & kSearchingMask) >= workers_.size()) return false;
  idle_state_.fetch_add(1, std::memory_order_seq_cst);
  self.searching = true;
  return true;
}

void WorkerPool::TransitionFromSearching(Worker& self) {
  if (!self.searching) return;
  self.searching = false;
  const uint32_t previous = idle_state_.fetch_sub(1, std::memory_order_seq_cst);
  // The last searcher found work. Pushers that saw it searching woke nobody,
  // so if work is still queued, get someone looking; if none is (the common
  // case of one task handed to one woken worker, such as a round trip from
  // the main thread), waking a sibling would only cost it a futex wake-up, a
  // fruitless search and a park. No push is missed: the decrement above, a
  // seq_cst fence, then WorkPending, against a pusher's publish, fence, read
  // of idle_state_, is WHY NO TASK IS STRANDED's argument again (a pusher
  // that reads idle_state_ after the decrement sees no searcher and wakes a
  // worker itself).
  if ((previous & kSearchingMask) != 1) return;
#if !defined(__SANITIZE_THREAD__)
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
  if (WorkPending()) NotifyOne();
}

bool WorkerPool::WorkPending() const {
  if (injector_.SizeHint() != 0 || due_.SizeHint() != 0 || high_.SizeHint() != 0 ||
      low_.SizeHint() != 0) {
    return true;
  }
  for (const auto& worker : workers_) {
    if (worker->queue.SizeHint() != 0) return true;
  }
  const int64_t earliest = earliest_timer_ns_.load(std::memory_order_acquire);
  return earliest != kNoTimerNs && ToNanos(std::chrono::steady_clock::now()) >= earliest;
}

TaskCoreBase* WorkerPool::PopOne(Injector& queue) {
  if (queue.SizeHint() == 0) return nullptr;
  uint32_t count = 0;
  TaskCoreBase* task = queue.PopBatch(1, &count);
  if (task != nullptr) prioritized_.fetch_sub(1, std::memory_order_relaxed);
  return task;
}

// The slow path of PRIORITIES rules 1 and 2; Next calls it only when
// prioritized work is queued, so the normal path pays one load.
TaskCoreBase* WorkerPool::NextPrioritized(Worker& self) {
  if ((self.tick & (kLowInterval - 1)) == 0) {
    if (TaskCoreBase* task = PopOne(low_)) return task;
  }
  // The streak counts consecutive picks only: a pick that was not high
  // (including every pick made without calling here) ends it.
  if (self.last_high_tick + 1 != self.tick) self.high_streak = 0;
  if (self.high_streak >= kMaxHighStreak) {
    self.high_streak = 0;  // this pick is the others' (rule 2)
    return nullptr;
  }
  TaskCoreBase* task = PopOne(high_);
  if (task != nullptr) {
    ++self.high_streak;
    self.last_high_tick = self.tick;
  }
  return task;
}

TaskCoreBase* WorkerPool::NextDue(Worker& self) {
  if (due_.SizeHint() == 0) {
    self.due_streak = 0;
    return nullptr;
  }
  if (self.due_streak >= kMaxDueStreak) {
    self.due_streak = 0;  // this pick is the other queues' (see FAIRNESS)
    return nullptr;
  }
  uint32_t count = 0;
  TaskCoreBase* task = due_.PopBatch(1, &count);
  if (task == nullptr) {
    self.due_streak = 0;
    return nullptr;
  }
  ++self.due_streak;
  self.lifo_streak = 0;  // the LIFO streak counts consecutive slot runs
  return task;
}

TaskCoreBase* WorkerPool::NextLocal(Worker& self) {
  if (self.lifo != nullptr) {
    if (self.lifo_streak < kMaxLifoStreak) {
      ++self.lifo_streak;
      return std::exchange(self.lifo, nullptr);
    }
    // Streak spent: the slot's task queues behind the local ones, or runs
    // now if there are none (then there is nobody to be fair to). Nobody is
    // woken for it, as in tokio: this worker pops its queue next, and the
    // tasks already queued were announced when they were pushed. (Waking a
    // sibling here made a chain of spawns migrate between workers every few
    // steps, one futex wake each time.)
    TaskCoreBase* task = std::exchange(self.lifo, nullptr);
    self.lifo_streak = 0;
    if (self.queue.SizeHint() == 0) return task;
    PushLocal(self, task, /*notify=*/false);
  }
  self.lifo_streak = 0;
  return self.queue.Pop();
}

TaskCoreBase* WorkerPool::NextFromInjector(Worker& self) {
  const uint32_t queued = injector_.SizeHint();
  if (queued == 0) return nullptr;
  // A fair share of the backlog, bounded by the room in our queue.
  const uint32_t room = LocalQueue::kCapacity - self.queue.SizeHint();
  uint32_t want = std::min(queued / static_cast<uint32_t>(workers_.size()) + 1, room / 2 + 1);
  want = std::min(want, LocalQueue::kCapacity / 2);
  uint32_t count = 0;
  TaskCoreBase* first = injector_.PopBatch(want, &count);
  if (first == nullptr) return nullptr;
  for (TaskCoreBase* t = first->queue_next(); t != nullptr;) {
    TaskCoreBase* next = t->queue_next();
    t->queue_next() = nullptr;
    PushLocal(self, t);
    t = next;
  }
  first->queue_next() = nullptr;
  return first;
}

TaskCoreBase* WorkerPool::Search(Worker& self) {
  if (!TransitionToSearching(self)) return nullptr;
  const size_t n = workers_.size();
  self.rng = self.rng * 1664525u + 1013904223u;
  const size_t start = self.rng % n;
  for (size_t i = 0; i < n; ++i) {
    Worker& victim = *workers_[(start + i) % n];
    if (&victim == &self) continue;
    if (TaskCoreBase* task = victim.queue.StealInto(self.queue)) return task;
  }
  return NextFromInjector(self);
}

TaskCoreBase* WorkerPool::Next(Worker& self) {
  while (!stopped_.load(std::memory_order_acquire)) {
    TaskCoreBase* task = nullptr;
    // The checks every pick pays are inline loads; the calls happen only when
    // a timer is armed or one has fired.
    if (++self.tick % kTimerCheckInterval == 0 &&
        earliest_timer_ns_.load(std::memory_order_relaxed) != kNoTimerNs) {
      FireDueTimers(&self);
    }
    if (self.tick % kGlobalQueueInterval == 0) task = NextFromInjector(self);
    if (task == nullptr && prioritized_.load(std::memory_order_relaxed) != 0) [[unlikely]] {
      task = NextPrioritized(self);
    }
    // The LIFO slot before fired timers: after a timer's step it holds the
    // task the timer woke, which is what was waiting for the deadline.
    if (task == nullptr && self.lifo != nullptr && self.lifo_streak < kMaxLifoStreak) {
      ++self.lifo_streak;
      task = std::exchange(self.lifo, nullptr);
    }
    if (task == nullptr && due_.SizeHint() != 0) task = NextDue(self);
    if (task == nullptr) task = NextLocal(self);
    if (task == nullptr) task = NextFromInjector(self);
    if (task == nullptr) {
      FireDueTimers(&self);
      task = NextDue(self);
    }
    if (task == nullptr) task = Search(self);
    if (task == nullptr) task = PopOne(high_);  // PRIORITIES rule 3
    if (task == nullptr) task = PopOne(low_);
    if (task != nullptr) {
      TransitionFromSearching(self);
      if (stopped_.load(std::memory_order_acquire)) {
        std::lock_guard<std::mutex> lock(leftovers_mu_);
        leftovers_.push_back(RunnableAccess::Adopt(task));
        return nullptr;
      }
      return task;
    }
    Park(self);
  }
  return nullptr;
}

void WorkerPool::Park(Worker& self) {
  {
    std::lock_guard<std::mutex> lock(sleepers_mu_);
    idle_state_.fetch_sub(kUnparkedUnit + (self.searching ? 1 : 0), std::memory_order_seq_cst);
    self.searching = false;
    self.sleeping = true;
    sleepers_.push_back(self.index);
  }
#if !defined(__SANITIZE_THREAD__)
  std::atomic_thread_fence(std::memory_order_seq_cst);  // see WHY NO TASK IS STRANDED
#endif
  if (!WorkPending() && !stopped_.load(std::memory_order_acquire)) {
    Instant until = Instant::max();
    {
      std::lock_guard<std::mutex> lock(timers_mu_);
      if (!timers_.empty() && timer_sleeper_ < 0) {
        timer_sleeper_ = self.index;
        timer_sleeper_until_ = timers_.earliest();
        until = timer_sleeper_until_;
      }
    }
    self.parker.Park(until);
    if (until != Instant::max()) {
      std::lock_guard<std::mutex> lock(timers_mu_);
      if (timer_sleeper_ == self.index) timer_sleeper_ = -1;
    }
  }
  std::lock_guard<std::mutex> lock(sleepers_mu_);
  if (self.sleeping) {
    // Nobody claimed us (work was pending, a timer is due, or Stop): unlist.
    sleepers_.erase(std::find(sleepers_.begin(), sleepers_.end(), self.index));
    self.sleeping = false;
    idle_state_.fetch_add(kUnparkedUnit, std::memory_order_seq_cst);
  } else {
    // NotifyOne claimed us and counted us searching.
    self.searching = true;
  }
}

void WorkerPool::ExitWorker(Worker& self) {
  TransitionFromSearching(self);
  std::lock_guard<std::mutex> lock(leftovers_mu_);
  if (self.lifo != nullptr)
    leftovers_.push_back(RunnableAccess::Adopt(std::exchange(self.lifo, nullptr)));
  while (TaskCoreBase* task = self.queue.Pop()) leftovers_.push_back(RunnableAccess::Adopt(task));
}

void WorkerPool::WorkerMain(int index) {
  Worker& self = *workers_[index];
  current_pool = this;
  current_worker = &self;
  // The kernel may defer a timed wake-up by the thread's timer slack (50 us by
  // default) to batch it with others; a worker sleeping on the next timer
  // wants it on time.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  while (TaskCoreBase* task = Next(self)) {
    platform_internal::RunDispatcherStep(RunnableAccess::Adopt(task), options_.pin);
  }
  ExitWorker(self);
  current_pool = nullptr;
  current_worker = nullptr;
}

void WorkerPool::Stop(std::vector<Runnable>& drained) {
  stopped_.store(true, std::memory_order_seq_cst);
  AdoptChain(injector_.Close(), drained);
  AdoptChain(due_.Close(), drained);
  AdoptChain(high_.Close(), drained);
  AdoptChain(low_.Close(), drained);
  {
    std::lock_guard<std::mutex> lock(timers_mu_);
    timers_stopped_ = true;
    timers_.DrainInto(drained);
    earliest_timer_ns_.store(kNoTimerNs, std::memory_order_release);
  }
  for (const auto& worker : workers_) worker->parker.Unpark();
}

void WorkerPool::Join(std::vector<Runnable>& drained) {
  for (std::thread& t : threads_) {
    if (!t.joinable()) continue;
    if (t.get_id() == std::this_thread::get_id()) {
      t.detach();  // never join yourself; this thread exits after its step
    } else {
      t.join();
    }
  }
  std::lock_guard<std::mutex> lock(leftovers_mu_);
  for (Runnable& r : leftovers_) drained.push_back(std::move(r));
  leftovers_.clear();
}

}  // namespace scheduler::dispatcher_internal
