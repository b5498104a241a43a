#include "testing/fuzz/scheduler_fuzz_driver.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "executor/executor.h"
#include "scheduler/bounded_channel.h"
#include "scheduler/channel.h"
#include "scheduler/combinators.h"
#include "scheduler/sync.h"
#include "scheduler/yield.h"
#include "testing/byte_chooser.h"
#include "testing/test_scheduler.h"

namespace scheduler::fuzz {
namespace {

[[noreturn]] void Violation(const std::string& what) {
  std::fprintf(stderr, "scheduler fuzz invariant violated: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// Reads the program's bytes; past the end everything reads as zero.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  uint8_t Next() { return pos_ < size_ ? data_[pos_++] : 0; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// What the program observed; shared by all task bodies of one run.
struct Ledger {
  struct Entry {
    TaskId id;
    bool started = false;
    bool completed = false;
    bool destroyed = false;
  };
  std::vector<Entry> tasks;  // by task index
  int frames_alive = 0;
  uint64_t trace = 1469598103934665603ULL;

  void Mix(uint64_t v) {
    trace ^= v + 0x9e3779b97f4a7c15ULL + (trace << 6) + (trace >> 2);
    trace *= 1099511628211ULL;
  }
};

// Lives in a task's frame: its destructor runs exactly when the frame dies.
class FrameGuard {
 public:
  FrameGuard(Ledger* ledger, int index) : ledger_(ledger), index_(index) {
    Ledger::Entry& e = ledger_->tasks[index_];
    if (e.started) Violation("task " + std::to_string(index_) + " started twice");
    e.started = true;
    ++ledger_->frames_alive;
    ledger_->Mix(100 + index_);
  }
  ~FrameGuard() {
    Ledger::Entry& e = ledger_->tasks[index_];
    if (e.destroyed) Violation("frame of task " + std::to_string(index_) + " destroyed twice");
    e.destroyed = true;
    --ledger_->frames_alive;
    ledger_->Mix(200 + index_);
  }
  FrameGuard(const FrameGuard&) = delete;
  FrameGuard& operator=(const FrameGuard&) = delete;

 private:
  Ledger* ledger_;
  int index_;
};

struct BodyPlan {
  int yields = 0;
  int timer_ms = 0;
  Task<int> awaited;                     // awaited at the end, if valid
  std::optional<Receiver<int>> channel;  // received from at the end, if set
};

Future<int> Body(std::shared_ptr<TestScheduler> s, Ledger* ledger, int index, BodyPlan plan) {
  FrameGuard guard(ledger, index);
  for (int i = 0; i < plan.yields; ++i) co_await Yield();
  if (plan.timer_ms > 0) co_await Timer(s, std::chrono::milliseconds(plan.timer_ms));
  int result = index;
  if (plan.awaited.valid()) {
    try {
      result += co_await std::move(plan.awaited);
    } catch (const TaskCancelledError&) {
      result -= 1;
    }
  }
  if (plan.channel.has_value()) {
    std::optional<int> v = co_await plan.channel->Recv();
    result += v.value_or(0);
  }
  ledger->tasks[index].completed = true;
  ledger->Mix(300 + index);
  co_return result;
}

// Races two bodies, or one against a timeout (`timeout_ms` >= 0); the
// losers' frames must be gone (FrameGuard) before it returns.
Future<int> RaceBody(Ledger* ledger, int index, Future<int> x, Future<int> y, int timeout_ms) {
  FrameGuard guard(ledger, index);
  int result = index;
  if (timeout_ms >= 0) {
    std::optional<int> r =
        co_await WithTimeout(std::move(x), std::chrono::milliseconds(timeout_ms));
    result += r.value_or(-1);
  } else {
    std::variant<int, int> r = co_await Race(std::move(x), std::move(y));
    result += r.index() == 0 ? std::get<0>(r) : std::get<1>(r);
  }
  ledger->tasks[index].completed = true;
  ledger->Mix(600 + index);
  co_return result;
}

// Holds `mutex` across `yields` yields; two holders at once is a violation.
Future<int> MutexBody(Ledger* ledger, int index, Mutex* mutex, int* holders, int yields) {
  FrameGuard guard(ledger, index);
  Mutex::Guard lock = co_await mutex->Lock();
  if (++*holders != 1) Violation("two tasks hold the fuzz mutex");
  struct Leave {
    int* holders;
    ~Leave() { --*holders; }
  } leave{holders};
  for (int i = 0; i < yields; ++i) co_await Yield();
  ledger->tasks[index].completed = true;
  ledger->Mix(700 + index);
  co_return index;
}

// Holds `want` of the semaphore's permits across `yields` yields; more than
// `capacity` in use at once is a violation.
Future<int> SemaphoreBody(Ledger* ledger, int index, Semaphore* sem, uint64_t* in_use,
                          uint64_t capacity, uint64_t want, int yields) {
  FrameGuard guard(ledger, index);
  Semaphore::Permit permit = co_await sem->Acquire(want);
  *in_use += want;
  if (*in_use > capacity) Violation("more semaphore permits in use than exist");
  struct Leave {
    uint64_t* in_use;
    uint64_t want;
    ~Leave() { *in_use -= want; }
  } leave{in_use, want};
  for (int i = 0; i < yields; ++i) co_await Yield();
  ledger->tasks[index].completed = true;
  ledger->Mix(800 + index);
  co_return index;
}

// What the bounded channels carried: every value whose Send returned OK must
// be received exactly once or still be queued at the end.
// Values are distinct (`next`), so "twice" and "lost" are checkable.
struct ChannelBook {
  int next = 0;
  std::set<int> acknowledged;
  std::set<int> received;
};

Future<int> BoundedSendBody(Ledger* ledger, int index, BoundedSender<int> tx, ChannelBook* book) {
  FrameGuard guard(ledger, index);
  const int value = book->next++;
  const bool ok = (co_await tx.Send(value)).ok();
  if (ok) book->acknowledged.insert(value);
  ledger->tasks[index].completed = true;
  ledger->Mix(900 + index + (ok ? 1 : 0));
  co_return index;
}

// Receives once from `a`, or (`select`) from whichever of `a` and `b` has a
// value first.
Future<int> BoundedRecvBody(Ledger* ledger, int index, BoundedReceiver<int> a,
                            BoundedReceiver<int> b, ChannelBook* book, bool select) {
  FrameGuard guard(ledger, index);
  std::optional<int> v;
  if (select) {
    std::variant<std::optional<int>, std::optional<int>> r = co_await Select(a, b);
    v = r.index() == 0 ? std::get<0>(r) : std::get<1>(r);
  } else {
    v = co_await a.Recv();
  }
  if (v.has_value() && !book->received.insert(*v).second) {
    Violation("channel value " + std::to_string(*v) + " received twice");
  }
  ledger->tasks[index].completed = true;
  ledger->Mix(1000 + index + v.value_or(0));
  co_return index;
}

// Waits once on an auto-reset event; more passes than Sets is a violation.
Future<int> EventBody(Ledger* ledger, int index, Event* event, const int* sets, int* passes) {
  FrameGuard guard(ledger, index);
  co_await event->Wait();
  if (++*passes > *sets) Violation("an auto-reset event released more waiters than Sets");
  ledger->tasks[index].completed = true;
  ledger->Mix(1100 + index);
  co_return index;
}

// Latch, barrier, watch and broadcast state shared by the ops below.
// `waiting` registries hold the tasks suspended in the primitive right now
// (by task index), so that after RunUntilParked a waiter that should have
// been released is a lost wake-up.
struct LatchBook {
  static constexpr uint64_t kCount = 3;
  uint64_t counted = 0;
  std::set<int> waiting;
};

struct BarrierBook {
  static constexpr uint64_t kParties = 3;
  // Per phase: live arrivals (a waiter cancelled before its phase completed
  // withdraws), leaders and released followers.
  std::vector<uint64_t> arrived, leaders, followers;
  std::set<std::pair<int, uint64_t>> waiting;  // (task index, phase arrived in)
  void Grow(uint64_t phase) {
    if (arrived.size() <= phase) {
      arrived.resize(phase + 1);
      leaders.resize(phase + 1);
      followers.resize(phase + 1);
    }
  }
};

struct WatchBook {
  int latest = 0;  // values sent are 1, 2, 3, ...; the initial value is 0
  bool closed = false;
  std::set<std::pair<int, int>> waiting;  // (task index, value seen before waiting)
};

struct BroadcastBook {
  static constexpr size_t kCapacity = 2;
  uint64_t sent = 0;  // the value sent is its sequence number
  bool closed = false;
  std::set<std::pair<int, uint64_t>> waiting;  // (task index, value expected next)
};

// Erases `key` from `set` when the frame dies while still waiting.
template <typename Key>
class Waiting {
 public:
  Waiting(std::set<Key>* set, Key key) : set_(set), key_(key) { set_->insert(key_); }
  ~Waiting() { Done(); }
  void Done() {
    if (set_ != nullptr) set_->erase(key_);
    set_ = nullptr;
  }
  Waiting(const Waiting&) = delete;
  Waiting& operator=(const Waiting&) = delete;

 private:
  std::set<Key>* set_;
  Key key_;
};

// Waits on the latch; released before the count reached zero is a violation.
Future<int> LatchBody(Ledger* ledger, int index, Latch* latch, LatchBook* book) {
  FrameGuard guard(ledger, index);
  {
    Waiting<int> waiting(&book->waiting, index);
    co_await latch->Wait();
  }
  if (book->counted != LatchBook::kCount) Violation("a latch released a waiter early");
  ledger->tasks[index].completed = true;
  ledger->Mix(1200 + index);
  co_return index;
}

// Arrives at the barrier once. Each phase must complete with exactly
// kParties live arrivals, one leader (the last to arrive) and the others
// released once, never before their phase completed.
Future<int> BarrierBody(Ledger* ledger, int index, Barrier* barrier, BarrierBook* book) {
  FrameGuard guard(ledger, index);
  const uint64_t phase = barrier->phase();
  book->Grow(phase);
  ++book->arrived[phase];
  struct Withdraw {  // a waiter cancelled before its phase completed no longer counts
    Barrier* barrier;
    BarrierBook* book;
    uint64_t phase;
    bool armed = true;
    ~Withdraw() {
      if (armed && barrier->phase() == phase) --book->arrived[phase];
    }
  } withdraw{barrier, book, phase};
  bool leader;
  {
    Waiting<std::pair<int, uint64_t>> waiting(&book->waiting, {index, phase});
    leader = co_await barrier->ArriveAndWait();
  }
  withdraw.armed = false;
  if (barrier->phase() <= phase) Violation("a barrier released a task before its phase ended");
  if (leader) {
    if (++book->leaders[phase] != 1) Violation("two leaders in one barrier phase");
    if (book->arrived[phase] != BarrierBook::kParties) {
      Violation("barrier phase " + std::to_string(phase) + " completed with " +
                std::to_string(book->arrived[phase]) + " live arrivals");
    }
  } else if (++book->followers[phase] >= BarrierBook::kParties) {
    Violation("a barrier phase released more followers than it had");
  }
  ledger->tasks[index].completed = true;
  ledger->Mix(1300 + index + (leader ? 1 : 0));
  co_return index;
}

// Waits for one change of the watch; woken without a newer value (or with
// false while the sender lives) is a violation.
Future<int> WatchBody(Ledger* ledger, int index, WatchReceiver<int> rx, WatchBook* book) {
  FrameGuard guard(ledger, index);
  const int before = rx.Borrow();
  bool changed;
  {
    Waiting<std::pair<int, int>> waiting(&book->waiting, {index, before});
    changed = co_await rx.Changed();
  }
  if (changed) {
    const int now = rx.Borrow();
    if (now <= before) Violation("a watch receiver woke without a newer value");
    if (now > book->latest) Violation("a watch receiver saw a value never sent");
  } else if (!book->closed) {
    Violation("a watch receiver saw the end while its sender lives");
  }
  ledger->tasks[index].completed = true;
  ledger->Mix(1400 + index + (changed ? 1 : 0));
  co_return index;
}

// Receives `count` values from its own broadcast receiver: each value is the
// one after the previous, unless a DataLoss (legitimate only if that value
// was evicted) came between; the end only once everything was received.
Future<int> BroadcastBody(Ledger* ledger, int index, BroadcastReceiver<int> rx, uint64_t expected,
                          BroadcastBook* book, int count) {
  FrameGuard guard(ledger, index);
  bool lagged = false;
  for (int i = 0; i < count; ++i) {
    absl::StatusOr<int> v;
    {
      Waiting<std::pair<int, uint64_t>> waiting(&book->waiting, {index, expected});
      v = co_await rx.Recv();
    }
    if (v.ok()) {
      const uint64_t got = static_cast<uint64_t>(*v);
      if (got >= book->sent) Violation("a broadcast receiver got a value never sent");
      if (lagged ? got <= expected : got != expected) {
        Violation("broadcast receiver expected " + std::to_string(expected) + ", got " +
                  std::to_string(got));
      }
      expected = got + 1;
      lagged = false;
    } else if (absl::IsDataLoss(v.status())) {
      if (lagged || expected + BroadcastBook::kCapacity >= book->sent) {
        Violation("a broadcast DataLoss without a value evicted: " + v.status().ToString());
      }
      lagged = true;
    } else if (absl::IsOutOfRange(v.status())) {
      if (!book->closed || lagged || expected != book->sent) {
        Violation("a broadcast receiver saw the end early: " + v.status().ToString());
      }
      break;
    } else {
      Violation("unexpected broadcast status: " + v.status().ToString());
    }
  }
  ledger->tasks[index].completed = true;
  ledger->Mix(1500 + index + expected);
  co_return index;
}

constexpr int kSlots = 8;

// The program's scheduler: seeded random, or choices from `schedule_bytes`.
std::shared_ptr<TestScheduler> MakeScheduler(uint64_t seed,
                                             std::optional<std::vector<uint8_t>> schedule_bytes) {
  TestSchedulerConfig config{.seed = seed,
                             .block_on_ticks_min = 0,
                             .block_on_ticks_max = 20,
                             .on_failure = [](const std::string& report) { Violation(report); }};
  if (schedule_bytes.has_value()) {
    config.strategy = Strategy::kFuzz;
    config.chooser = std::make_shared<ByteChooser>(*std::move(schedule_bytes));
  }
  return TestScheduler::Create(std::move(config));
}

class Program {
 public:
  Program(uint64_t seed, std::optional<std::vector<uint8_t>> schedule_bytes)
      : scheduler_(MakeScheduler(seed, std::move(schedule_bytes))),
        background_(scheduler_),
        foreground_a_(scheduler_),
        foreground_b_(scheduler_),
        labels_{TaskLabel::New(), TaskLabel::New()} {}

  void Execute(ByteReader& in) {
    const uint8_t op = in.Next() % 24;
    const uint8_t a = in.Next();
    const uint8_t b = in.Next();
    Task<int>& slot = slots_[a % kSlots];
    switch (op) {
      case 0:
        slot = background_.Spawn(MakeBody(a, b));
        RecordId(slot);
        break;
      case 1:
        slot = background_.SpawnLabeled(labels_[b % 2], MakeBody(a, b));
        RecordId(slot);
        break;
      case 2:
        slot = (b % 2 ? foreground_a_ : foreground_b_).Spawn(MakeBody(a, b));
        RecordId(slot);
        break;
      case 3:
        slot = Task<int>();
        break;
      case 4:
        if (slot.valid()) slot.Detach();
        break;
      case 5:
        scheduler_->Tick();
        break;
      case 6:
        scheduler_->RunUntilParked();
        CheckNoLostWakeUps();
        break;
      case 7:
        scheduler_->AdvanceClock(std::chrono::milliseconds(b));
        break;
      case 8:
        scheduler_->AdvanceClockToNextTimer();
        break;
      case 9:
        scheduler_->Deprioritize(labels_[b % 2]);
        break;
      case 10:
        BlockOn(slot, b);
        break;
      case 11: {
        BodyPlan plan;
        plan.awaited = std::move(slots_[b % kSlots]);
        slot = background_.Spawn(Body(scheduler_, &ledger_, NewIndex(), std::move(plan)));
        RecordId(slot);
        break;
      }
      case 12:
        if (senders_.empty()) break;
        if (b % 3 == 0) {
          senders_[b % senders_.size()].reset();  // closes it: the receiver sees nullopt
        } else if (std::optional<Sender<int>>& tx = senders_[b % senders_.size()]) {
          (void)tx->Send(b);
        }
        break;
      case 13:
      case 14: {
        // Race two fresh bodies, or one against a timeout of b % 40 ms.
        Future<int> x = MakeBody(a, b);
        Future<int> y = MakeBody(b, a);
        const int index = NewIndex();
        slot = background_.Spawn(
            RaceBody(&ledger_, index, std::move(x), std::move(y), op == 14 ? b % 40 : -1));
        RecordId(slot);
        break;
      }
      case 15:
        slot = background_.Spawn(MutexBody(&ledger_, NewIndex(), &mutex_, &mutex_holders_, b % 4));
        RecordId(slot);
        break;
      case 16:
        slot = background_.Spawn(SemaphoreBody(&ledger_, NewIndex(), &semaphore_, &permits_in_use_,
                                               kPermits, 1 + b % kPermits, a % 3));
        RecordId(slot);
        break;
      case 17:
        // Send a fresh value on one of the two bounded channels (capacity 2).
        slot = background_.Spawn(BoundedSendBody(
            &ledger_, NewIndex(), b % 2 ? bounded_b_.first : bounded_a_.first, &book_));
        RecordId(slot);
        break;
      case 18:
        // Receive from one bounded channel, or Select over both.
        slot = background_.Spawn(BoundedRecvBody(&ledger_, NewIndex(), bounded_a_.second,
                                                 bounded_b_.second, &book_, b % 2 == 0));
        RecordId(slot);
        break;
      case 19:
        if (b % 2 == 0) {
          slot = background_.Spawn(
              EventBody(&ledger_, NewIndex(), &event_, &event_sets_, &event_passes_));
          RecordId(slot);
        } else if (!event_.IsSet()) {  // Sets on a set auto-reset event collapse into one
          ++event_sets_;
          event_.Set();
        }
        break;
      case 20:
        // Wait on the latch, or count it down (never below zero).
        if (b % 2 == 0) {
          slot = background_.Spawn(LatchBody(&ledger_, NewIndex(), &latch_, &latch_book_));
          RecordId(slot);
        } else if (latch_book_.counted < LatchBook::kCount) {
          ++latch_book_.counted;
          latch_.CountDown();
        }
        break;
      case 21:
        slot = background_.Spawn(BarrierBody(&ledger_, NewIndex(), &barrier_, &barrier_book_));
        RecordId(slot);
        break;
      case 22:
        // Wait for a change, send the next value, or (rarely) drop the sender.
        if (b % 3 == 0) {
          slot = background_.Spawn(WatchBody(&ledger_, NewIndex(), watch_rx_, &watch_book_));
          RecordId(slot);
        } else if (watch_tx_.has_value()) {
          if (b % 11 == 1) {
            watch_book_.closed = true;
            watch_tx_.reset();
          } else {
            watch_tx_->Send(++watch_book_.latest);
          }
        }
        break;
      case 23:
        // Subscribe and receive 1-3 values, send the next value, or (rarely)
        // drop the sender.
        if (b % 3 == 0) {
          if (!broadcast_tx_.has_value()) break;  // nothing to subscribe to
          slot =
              background_.Spawn(BroadcastBody(&ledger_, NewIndex(), broadcast_tx_->Subscribe(),
                                              broadcast_book_.sent, &broadcast_book_, 1 + a % 3));
          RecordId(slot);
        } else if (broadcast_tx_.has_value()) {
          if (b % 11 == 1) {
            broadcast_book_.closed = true;
            broadcast_tx_.reset();
          } else {
            broadcast_tx_->Send(static_cast<int>(broadcast_book_.sent++));
          }
        }
        break;
    }
    ++operations_;
  }

  void CheckInvariants() {
    const Instant now = scheduler_->Now();
    if (now < last_now_) Violation("the clock went backwards");
    last_now_ = now;
    if (ledger_.frames_alive < 0) Violation("more frames destroyed than created");
    for (size_t i = 0; i < ledger_.tasks.size(); ++i) {
      const Ledger::Entry& e = ledger_.tasks[i];
      const bool pending = scheduler_->IsTaskRunning(e.id);
      if (pending && e.completed) Violation("completed task " + std::to_string(i) + " is pending");
      if (pending && e.destroyed) Violation("destroyed task " + std::to_string(i) + " is pending");
    }
  }

  // Right after RunUntilParked nothing is runnable: a task still waiting in
  // a primitive that already released it lost its wake-up.
  void CheckNoLostWakeUps() {
    if (latch_.IsReady() && !latch_book_.waiting.empty()) {
      Violation("a latch waiter was never woken");
    }
    for (const auto& [index, phase] : barrier_book_.waiting) {
      if (phase < barrier_.phase()) Violation("a barrier waiter was never woken");
    }
    if (barrier_book_.waiting.size() >= BarrierBook::kParties) {
      Violation("a barrier has all its parties waiting");
    }
    for (const auto& [index, seen] : watch_book_.waiting) {
      if (seen < watch_book_.latest || watch_book_.closed) {
        Violation("a watch receiver was never woken");
      }
    }
    for (const auto& [index, expected] : broadcast_book_.waiting) {
      if (expected < broadcast_book_.sent || broadcast_book_.closed) {
        Violation("a broadcast receiver was never woken");
      }
    }
  }

  ProgramResult Finish() {
    for (Task<int>& slot : slots_) slot = Task<int>();
    senders_.clear();
    // Shutdown frees what is queued (and, through their destructors, what
    // that releases), and cancels the detached tasks still waiting on a
    // primitive nobody will signal (held only by their own Wakers): the
    // check below proves it, with the channels open and the event unset.
    scheduler_->Shutdown();
    if (ledger_.frames_alive != 0) {
      Violation(std::to_string(ledger_.frames_alive) + " frames alive after shutdown");
    }
    // No value lost: what a cancelled receive was handed went back.
    std::set<int> left = book_.received;
    for (BoundedReceiver<int>* rx : {&bounded_a_.second, &bounded_b_.second}) {
      while (std::optional<int> v = rx->TryRecv()) {
        if (!left.insert(*v).second) Violation("channel value queued and received");
      }
    }
    for (int v : book_.acknowledged) {
      if (!left.contains(v)) Violation("channel value " + std::to_string(v) + " was lost");
    }
    if (semaphore_.available() != kPermits) Violation("a cancelled waiter kept or lost permits");
    ledger_.Mix(left.size() * 7 + static_cast<uint64_t>(event_passes_));
    ledger_.Mix(barrier_.phase() * 13 + broadcast_book_.sent * 17 +
                static_cast<uint64_t>(watch_book_.latest));
    for (size_t i = 0; i < ledger_.tasks.size(); ++i) {
      if (scheduler_->IsTaskRunning(ledger_.tasks[i].id)) {
        Violation("task " + std::to_string(i) + " still pending after shutdown");
      }
    }
    ledger_.Mix(scheduler_->steps());
    ledger_.Mix(static_cast<uint64_t>(scheduler_->Now().time_since_epoch().count()));
    return ProgramResult{ledger_.trace, static_cast<int>(ledger_.tasks.size()), operations_,
                         scheduler_->strategy() == Strategy::kFuzz};
  }

 private:
  int NewIndex() {
    ledger_.tasks.emplace_back();
    return static_cast<int>(ledger_.tasks.size()) - 1;
  }

  // The task just spawned belongs to the newest ledger entry.
  void RecordId(const Task<int>& task) { ledger_.tasks.back().id = task.id(); }

  Future<int> MakeBody(uint8_t a, uint8_t b) {
    BodyPlan plan;
    plan.yields = a % 4;
    plan.timer_ms = (b % 4) * 10;
    if (b % 7 == 0) {
      // A channel of its own: a Receiver has a single consumer.
      auto [tx, rx] = MakeChannel<int>();
      senders_.emplace_back(std::move(tx));
      plan.channel.emplace(std::move(rx));
    }
    const int index = NewIndex();
    return Body(scheduler_, &ledger_, index, std::move(plan));
  }

  void BlockOn(Task<int>& slot, uint8_t b) {
    if (!slot.valid()) return;
    BlockResult<int> r = background_.BlockWithTimeout(
        std::chrono::milliseconds(b), [t = std::move(slot)]() mutable -> Future<int> {
          try {
            co_return co_await std::move(t);
          } catch (const TaskCancelledError&) {
            co_return -1;
          }
        });
    if (r.timed_out()) {
      slot = background_.Spawn(std::move(r).TakeUnfinished());
      ledger_.Mix(400);
    } else {
      ledger_.Mix(static_cast<uint64_t>(std::move(r).value()) + 500);
    }
  }

  // Before the slots: destroyed after every frame that may hold them.
  static constexpr uint64_t kPermits = 2;
  Mutex mutex_;
  int mutex_holders_ = 0;
  Semaphore semaphore_{kPermits};
  uint64_t permits_in_use_ = 0;
  std::pair<BoundedSender<int>, BoundedReceiver<int>> bounded_a_ = MakeBoundedChannel<int>(2);
  std::pair<BoundedSender<int>, BoundedReceiver<int>> bounded_b_ = MakeBoundedChannel<int>(2);
  ChannelBook book_;
  Event event_{Event::kAutoReset};
  int event_sets_ = 0;
  int event_passes_ = 0;
  Latch latch_{LatchBook::kCount};
  LatchBook latch_book_;
  Barrier barrier_{BarrierBook::kParties};
  BarrierBook barrier_book_;
  std::pair<WatchSender<int>, WatchReceiver<int>> watch_channel_ = MakeWatch<int>(0);
  std::optional<WatchSender<int>> watch_tx_{std::move(watch_channel_.first)};
  WatchReceiver<int> watch_rx_{watch_channel_.second};
  WatchBook watch_book_;
  std::optional<BroadcastSender<int>> broadcast_tx_{
      MakeBroadcast<int>(BroadcastBook::kCapacity).first};
  BroadcastBook broadcast_book_;
  std::shared_ptr<TestScheduler> scheduler_;
  Executor background_;
  ForegroundExecutor foreground_a_;
  ForegroundExecutor foreground_b_;
  std::array<TaskLabel, 2> labels_;
  std::array<Task<int>, kSlots> slots_;
  std::vector<std::optional<Sender<int>>> senders_;
  Ledger ledger_;
  Instant last_now_{};
  int operations_ = 0;
};

}  // namespace

ProgramResult RunProgram(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string_view marker(kScheduleMarker);
  std::optional<std::vector<uint8_t>> schedule_bytes;
  if (const size_t at = input.rfind(marker); at != std::string_view::npos) {
    schedule_bytes.emplace(data + at + marker.size(), data + size);
    size = at;
  }
  ByteReader in(data, size);
  uint64_t seed = 0;
  for (int i = 0; i < 2; ++i) seed = (seed << 8) | in.Next();
  Program program(seed, std::move(schedule_bytes));
  for (int op = 0; op < 256 && !in.done(); ++op) {
    program.Execute(in);
    program.CheckInvariants();
  }
  return program.Finish();
}

void RunProgramTwiceAndCompare(const uint8_t* data, size_t size) {
  const ProgramResult first = RunProgram(data, size);
  const ProgramResult second = RunProgram(data, size);
  if (first.trace_hash != second.trace_hash) {
    Violation("same input, different traces: " + std::to_string(first.trace_hash) + " vs " +
              std::to_string(second.trace_hash));
  }
}

}  // namespace scheduler::fuzz
