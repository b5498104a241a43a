// Mutex, Semaphore, Event, Latch and Barrier (scheduler/sync.h): FIFO
// hand-off, cancellation while queued and while notified, and sweeps over
// many seeds (random and PCT) with tasks cancelled at every await.
#include "scheduler/sync.h"

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "executor/executor.h"
#include "gtest/gtest.h"
#include "scheduler/spawn.h"
#include "scheduler/tests/sweep_util.h"
#include "scheduler/tests/sync_test_util.h"
#include "scheduler/yield.h"
#include "testing/harness.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

using testing_util::FrameProbe;
using testing_util::SweepRun;

TEST(MutexTest, HandsTheLockOverInArrivalOrder) {
  auto scheduler = TestScheduler::Create({.seed = 11});
  Executor ex(scheduler);
  Mutex mu;
  std::optional<Mutex::Guard> held = mu.TryLock();
  ASSERT_TRUE(held.has_value());
  std::vector<int> arrivals, acquisitions;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 5; ++i) {
    tasks.push_back(ex.Spawn([&, i]() -> Future<void> {
      co_await ex.SimulateRandomDelay();
      arrivals.push_back(i);  // the Lock below queues in this same step
      Mutex::Guard guard = co_await mu.Lock();
      acquisitions.push_back(i);
      co_await Yield();
    }));
  }
  scheduler->RunUntilParked();
  ASSERT_EQ(arrivals.size(), 5u);
  EXPECT_TRUE(acquisitions.empty());
  EXPECT_FALSE(mu.TryLock().has_value()) << "no barging past queued waiters";
  held.reset();
  scheduler->RunUntilParked();
  EXPECT_EQ(acquisitions, arrivals);
  EXPECT_FALSE(mu.IsLocked());
}

TEST(MutexTest, AWaiterCancelledWhileQueuedLeavesNoTrace) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  Mutex mu;
  std::optional<Mutex::Guard> held = mu.TryLock();
  bool second_got_it = false;
  Task<void> first = ex.Spawn([&]() -> Future<void> { Mutex::Guard g = co_await mu.Lock(); });
  scheduler->RunUntilParked();
  Task<void> second = ex.Spawn([&]() -> Future<void> {
    Mutex::Guard g = co_await mu.Lock();
    second_got_it = true;
  });
  scheduler->RunUntilParked();
  first = Task<void>();  // idle, queued: its frame goes now
  held.reset();
  scheduler->RunUntilParked();
  EXPECT_TRUE(second_got_it);
  EXPECT_FALSE(mu.IsLocked());
}

TEST(MutexTest, AWaiterCancelledAfterTheHandOffPassesTheLockOn) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  Mutex mu;
  std::optional<Mutex::Guard> held = mu.TryLock();
  bool first_ran = false, second_got_it = false;
  Task<void> first = ex.Spawn([&]() -> Future<void> {
    Mutex::Guard g = co_await mu.Lock();
    first_ran = true;
  });
  scheduler->RunUntilParked();
  Task<void> second = ex.Spawn([&]() -> Future<void> {
    Mutex::Guard g = co_await mu.Lock();
    second_got_it = true;
  });
  scheduler->RunUntilParked();
  held.reset();          // hands the lock to `first`, which is now scheduled
  first = Task<void>();  // cancelled before it could run: must pass the lock on
  scheduler->RunUntilParked();
  EXPECT_FALSE(first_ran);
  EXPECT_TRUE(second_got_it);
  EXPECT_FALSE(mu.IsLocked());
}

TEST(SemaphoreTest, AQueuedHeadAskingForManyHoldsUpOthersUntilItLeaves) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  Semaphore sem(1);
  bool big = false, small = false;
  Task<void> big_task = ex.Spawn([&]() -> Future<void> {
    Semaphore::Permit p = co_await sem.Acquire(3);
    big = true;
  });
  scheduler->RunUntilParked();
  Task<void> small_task = ex.Spawn([&]() -> Future<void> {
    Semaphore::Permit p = co_await sem.Acquire(1);
    small = true;
  });
  scheduler->RunUntilParked();
  EXPECT_FALSE(small) << "FIFO: the small request waits behind the big one";
  big_task = Task<void>();
  scheduler->RunUntilParked();
  EXPECT_TRUE(small);
  EXPECT_FALSE(big);
  EXPECT_EQ(sem.available(), 1u);
}

TEST(SemaphoreTest, PermitsReturnOnDestructionAndForgetKeepsThem) {
  Semaphore sem(2);
  {
    std::optional<Semaphore::Permit> p = sem.TryAcquire(2);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(sem.available(), 0u);
  }
  EXPECT_EQ(sem.available(), 2u);
  std::optional<Semaphore::Permit> p = sem.TryAcquire(1);
  p->Forget();
  p.reset();
  EXPECT_EQ(sem.available(), 1u);
}

TEST(EventTest, ManualResetReleasesEveryWaiterAndStaysSet) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  Event ev(Event::kManualReset);
  int released = 0;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 3; ++i) {
    tasks.push_back(ex.Spawn([&]() -> Future<void> {
      co_await ev.Wait();
      ++released;
    }));
  }
  scheduler->RunUntilParked();
  EXPECT_EQ(released, 0);
  ev.Set();
  scheduler->RunUntilParked();
  EXPECT_EQ(released, 3);
  EXPECT_TRUE(ev.IsSet());
  ev.Reset();
  EXPECT_FALSE(ev.IsSet());
}

TEST(EventTest, AutoResetReleasesOneWaiterPerSet) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  Event ev(Event::kAutoReset);
  int released = 0;
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 3; ++i) {
    tasks.push_back(ex.Spawn([&]() -> Future<void> {
      co_await ev.Wait();
      ++released;
    }));
  }
  scheduler->RunUntilParked();
  ev.Set();
  scheduler->RunUntilParked();
  EXPECT_EQ(released, 1);
  EXPECT_FALSE(ev.IsSet()) << "the signal was consumed by the waiter";
  ev.Set();
  ev.Set();
  scheduler->RunUntilParked();
  EXPECT_EQ(released, 3);
}

TEST(EventTest, AnAutoResetSignalHandedToACancelledWaiterGoesToTheNext) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  Event ev(Event::kAutoReset);
  bool first = false, second = false;
  Task<void> a = ex.Spawn([&]() -> Future<void> {
    co_await ev.Wait();
    first = true;
  });
  scheduler->RunUntilParked();
  Task<void> b = ex.Spawn([&]() -> Future<void> {
    co_await ev.Wait();
    second = true;
  });
  scheduler->RunUntilParked();
  ev.Set();          // notifies `a`
  a = Task<void>();  // cancelled before it ran
  scheduler->RunUntilParked();
  EXPECT_FALSE(first);
  EXPECT_TRUE(second);
}

TEST(LatchTest, WaitCompletesAfterTheLastCountDown) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  Latch latch(2);
  bool done = false;
  Task<void> t = ex.Spawn([&]() -> Future<void> {
    co_await latch.Wait();
    done = true;
  });
  scheduler->RunUntilParked();
  latch.CountDown();
  scheduler->RunUntilParked();
  EXPECT_FALSE(done);
  latch.CountDown();
  scheduler->RunUntilParked();
  EXPECT_TRUE(done);
  EXPECT_TRUE(latch.IsReady());
}

TEST(BarrierTest, OneLeaderPerPhaseAndACancelledArrivalIsWithdrawn) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  Barrier barrier(2);
  int leaders = 0, released = 0;
  auto party = [&]() -> Future<void> {
    if (co_await barrier.ArriveAndWait()) ++leaders;
    ++released;
  };
  Task<void> quitter = ex.Spawn(party);
  scheduler->RunUntilParked();
  quitter = Task<void>();  // withdraws its arrival
  Task<void> a = ex.Spawn(party);
  scheduler->RunUntilParked();
  EXPECT_EQ(released, 0) << "the cancelled arrival must not count";
  Task<void> b = ex.Spawn(party);
  scheduler->RunUntilParked();
  EXPECT_EQ(released, 2);
  EXPECT_EQ(leaders, 1);
  EXPECT_EQ(barrier.phase(), 1u);
}

TEST(SyncDeathTest, DestroyingALockedMutexNamesWhereItWasMade) {
  EXPECT_DEATH(
      {
        auto* mu = new Mutex();
        std::optional<Mutex::Guard> g = mu->TryLock();
        delete mu;
      },
      "Mutex created at .*sync_test.cc:\\w+.* destroyed while locked");
}

TEST(SyncDeathTest, DestroyingAnEventWithWaitersNamesWhereItWasMade) {
  EXPECT_DEATH(
      {
        auto scheduler = TestScheduler::Create();
        auto* ev = new Event(Event::kManualReset);
        Task<void> t = Spawn(scheduler, [ev]() -> Future<void> { co_await ev->Wait(); });
        scheduler->RunUntilParked();
        delete ev;
      },
      "Event created at .*sync_test.cc:\\w+.* destroyed while tasks wait on it");
}

TEST(SyncDeathTest, CountingALatchBelowZeroIsFatal) {
  EXPECT_DEATH(
      {
        Latch latch(1);
        latch.CountDown(2);
      },
      "Latch created at .*sync_test.cc:\\w+.* counted down below zero");
}

// --- Sweeps: mutual exclusion and no lost hand-off under cancellation. ---
// Each scenario spawns into a SweepRun (sweep_util.h), which cancels tasks at
// seeded steps and checks what every sweep shares (no double resume, no lost
// wake-up, every frame destroyed once); the scenario adds its own.

// Workers lock, stay inside for a seeded number of yields, and count; the
// test cancels a seeded subset at seeded times (queued, notified, or while
// holding the lock). Invariants: never two inside; every surviving worker
// finishes; the mutex ends unlocked; every frame destroyed exactly once.
void MutexSweep(const std::shared_ptr<TestScheduler>& scheduler) {
  Executor ex(scheduler);
  Mutex mu;
  int inside = 0, finished = 0;
  const int n = 3 + static_cast<int>(scheduler->Rng().Below(3));
  SweepRun run(scheduler);
  for (int i = 0; i < n; ++i) {
    run.Spawn(ex, [&]() -> Future<void> {
      FrameProbe probe(run.counts());
      co_await ex.SimulateRandomDelay();
      for (int round = 0; round < 2; ++round) {
        Mutex::Guard guard = co_await mu.Lock();
        EXPECT_EQ(++inside, 1) << "two tasks inside the mutex";
        // Leaves the section before the guard unlocks, also when cancelled.
        struct Occupant {
          int* inside;
          ~Occupant() { --*inside; }
        } occupant{&inside};
        co_await ex.SimulateRandomDelay();
      }
      ++finished;
    });
  }
  run.CancelWhileStepping({.steps = 60, .cancel_one_in = 10});
  run.ExpectSurvivorsFinished("worker (or the lock)");
  EXPECT_GE(finished, run.survivors());
  EXPECT_FALSE(mu.IsLocked()) << "a cancelled waiter kept the lock";
  run.ExpectEveryFrameDestroyedOnce();
  EXPECT_LE(run.counts().made.load(), n);  // workers cancelled before their first step made none
}

SYNC_SWEEP(SyncSweep, Mutex, MutexSweep, /*depth=*/3, /*max_steps=*/80)

// Semaphore + auto-reset Event as a token pipeline: producers Set, consumers
// Wait; permits bound how many consumers run at once. Cancelling consumers
// at random must not lose a signal: every Set is consumed by a surviving
// consumer or is still pending in the event.
void EventSemaphoreSweep(const std::shared_ptr<TestScheduler>& scheduler) {
  Executor ex(scheduler);
  Event ev(Event::kAutoReset);
  Semaphore sem(2);
  int running = 0, consumed = 0, sets = 0;
  const int consumers = 4;
  SweepRun run(scheduler);
  for (int i = 0; i < consumers; ++i) {
    run.Spawn(ex, [&]() -> Future<void> {
      FrameProbe probe(run.counts());
      Semaphore::Permit p = co_await sem.Acquire();
      EXPECT_LE(++running, 2) << "more consumers than permits";
      struct Runner {  // leaves before the permit goes, also when cancelled
        int* running;
        ~Runner() { --*running; }
      } runner{&running};
      co_await ev.Wait();
      ++consumed;
    });
  }
  // Only onto an unset event: Sets on a set auto-reset event collapse.
  auto maybe_set = [&] {
    if (scheduler->Rng().Chance(1, 4) && sets < consumers && !ev.IsSet()) {
      ev.Set();
      ++sets;
    }
  };
  run.CancelWhileStepping({.steps = 40, .cancel_one_in = 12, .before_each_step = maybe_set});
  int waiting_survivors = run.WaitingSurvivors();
  // A signal is lost if a survivor waits while the event holds no signal
  // yet fewer Sets were consumed than made.
  if (waiting_survivors > 0) {
    EXPECT_EQ(consumed + (ev.IsSet() ? 1 : 0), sets) << "a Set was lost";
  } else {
    EXPECT_LE(consumed, sets);
  }
  // Every survivor gets through with one Set each: no lost wake-up.
  for (int round = 0; round < consumers && waiting_survivors > 0; ++round) {
    ev.Set();
    scheduler->RunUntilParked();
    waiting_survivors = run.WaitingSurvivors();
  }
  EXPECT_EQ(waiting_survivors, 0) << "a survivor never got through";
  EXPECT_EQ(sem.available(), 2u) << "permits lost to cancelled waiters";
  run.ExpectEveryFrameDestroyedOnce();
}

SYNC_SWEEP(SyncSweep, EventSemaphore, EventSemaphoreSweep, /*depth=*/2, /*max_steps=*/60)

// The Semaphore alone: workers take a seeded number of permits (1..k) twice,
// hold them across seeded delays, and are cancelled at seeded steps (queued,
// granted but not yet resumed, or holding). Invariants: never more than k
// permits in use; every await resumes once (`passes`); every survivor
// finishes (no lost wake-up); all k permits are back at the end (no grant
// lost or kept); every frame destroyed once.
void SemaphoreSweep(const std::shared_ptr<TestScheduler>& scheduler) {
  Executor ex(scheduler);
  const uint64_t k = 1 + scheduler->Rng().Below(3);
  Semaphore sem(k);
  uint64_t in_use = 0;
  const int n = 3 + static_cast<int>(scheduler->Rng().Below(3));
  std::vector<int> passes(n, 0);
  SweepRun run(scheduler);
  for (int i = 0; i < n; ++i) {
    const uint64_t want = 1 + scheduler->Rng().Below(k);
    run.Spawn(ex, [&, i, want]() -> Future<void> {
      FrameProbe probe(run.counts());
      for (int round = 0; round < 2; ++round) {
        Semaphore::Permit permit = co_await sem.Acquire(want);
        ++passes[i];
        EXPECT_EQ(permit.count(), want);
        in_use += want;
        EXPECT_LE(in_use, k) << "more permits in use than exist";
        struct Holder {  // gives them up before the permit does, also when cancelled
          uint64_t* in_use;
          uint64_t want;
          ~Holder() { *in_use -= want; }
        } holder{&in_use, want};
        co_await ex.SimulateRandomDelay();
      }
    });
  }
  run.CancelWhileStepping({.steps = 60, .cancel_one_in = 8});
  run.ExpectSurvivorsFinished("worker");
  run.ExpectPasses(passes, 2, "worker");
  EXPECT_EQ(in_use, 0u);
  EXPECT_EQ(sem.available(), k) << "a cancelled waiter kept or lost permits";
  run.ExpectEveryFrameDestroyedOnce();
}

SYNC_SWEEP(SyncSweep, Semaphore, SemaphoreSweep, /*depth=*/3, /*max_steps=*/80)

// Latch: waiters wait, counters count down after seeded delays; both kinds
// are cancelled at seeded steps. Invariants: nobody passes before the count
// reaches zero; each waiter passes once; once the latch is ready (the test
// counts down what cancelled counters never did) every surviving waiter has
// passed (no lost wake-up); every frame destroyed once.
void LatchSweep(const std::shared_ptr<TestScheduler>& scheduler) {
  Executor ex(scheduler);
  const int kCounters = 1 + static_cast<int>(scheduler->Rng().Below(3));
  constexpr int kWaiters = 3;
  Latch latch(kCounters);
  int counted = 0;
  std::vector<int> passes(kWaiters, 0);  // tasks 0..kWaiters-1 are the waiters
  SweepRun run(scheduler);
  for (int w = 0; w < kWaiters; ++w) {
    run.Spawn(ex, [&, w]() -> Future<void> {
      FrameProbe probe(run.counts());
      co_await ex.SimulateRandomDelay();
      co_await latch.Wait();
      EXPECT_TRUE(latch.IsReady()) << "a waiter passed an open latch";
      EXPECT_EQ(counted, kCounters);
      ++passes[w];
    });
  }
  for (int c = 0; c < kCounters; ++c) {
    run.Spawn(ex, [&]() -> Future<void> {
      FrameProbe probe(run.counts());
      co_await ex.SimulateRandomDelay();
      ++counted;
      latch.CountDown();
    });
  }
  run.CancelWhileStepping({.steps = 40, .cancel_one_in = 8});
  while (counted < kCounters) {  // what cancelled counters never counted
    ++counted;
    latch.CountDown();
  }
  scheduler->RunUntilParked();
  run.ExpectPasses(passes, 1, "waiter");
  run.ExpectEveryFrameDestroyedOnce();
}

SYNC_SWEEP(SyncSweep, Latch, LatchSweep, /*depth=*/2, /*max_steps=*/60)

// Barrier: parties run two phases each with seeded delays and are cancelled
// at seeded steps. Invariants: a party is released only after its phase
// completed (the phase count moved past the one it arrived in), one leader
// per completed phase, each await resumes once; the test then adds helper
// arrivals until every survivor finished (a cancelled arrival withdrawn,
// no lost wake-up); every frame destroyed once.
void BarrierSweep(const std::shared_ptr<TestScheduler>& scheduler) {
  Executor ex(scheduler);
  constexpr int kParties = 3, kPhases = 2;
  Barrier barrier(kParties);
  int leaders = 0;
  std::vector<int> passes(kParties, 0);
  auto arrive = [&](int* passed) -> Future<void> {
    const uint64_t arrived_in = barrier.phase();
    if (co_await barrier.ArriveAndWait()) ++leaders;
    EXPECT_GT(barrier.phase(), arrived_in) << "released before the phase completed";
    ++*passed;
  };
  int helper_passes = 0;
  SweepRun run(scheduler);
  for (int p = 0; p < kParties; ++p) {
    run.Spawn(ex, [&, p]() -> Future<void> {
      FrameProbe probe(run.counts());
      for (int phase = 0; phase < kPhases; ++phase) {
        co_await ex.SimulateRandomDelay();
        co_await arrive(&passes[p]);
      }
    });
  }
  run.CancelWhileStepping({.steps = 60, .cancel_one_in = 10});
  // Helpers still waiting for a phase nobody else joins are cancelled when
  // this goes, before the parties.
  std::vector<Task<void>> helpers;
  for (int i = 0; i < kParties * kPhases * 2 && run.WaitingSurvivors() > 0; ++i) {
    helpers.push_back(ex.Spawn([&]() -> Future<void> { co_await arrive(&helper_passes); }));
    scheduler->RunUntilParked();
  }
  run.ExpectPasses(passes, kPhases, "party");
  EXPECT_EQ(static_cast<uint64_t>(leaders), barrier.phase()) << "one leader per phase";
  helpers.clear();
  run.ExpectEveryFrameDestroyedOnce();
}

SYNC_SWEEP(SyncSweep, Barrier, BarrierSweep, /*depth=*/3, /*max_steps=*/80)

// A manual-reset Event (Notify's broadcast form): waiters wait, one setter
// sets it after a seeded delay, waiters are cancelled at seeded steps.
// Invariants: nobody passes an unset event; each await resumes once; every
// survivor passes once it is set (no lost wake-up); frames once.
void ManualEventSweep(const std::shared_ptr<TestScheduler>& scheduler) {
  Executor ex(scheduler);
  Event ev(Event::kManualReset);
  constexpr int kWaiters = 4;
  std::vector<int> passes(kWaiters, 0);
  SweepRun run(scheduler);
  for (int w = 0; w < kWaiters; ++w) {
    run.Spawn(ex, [&, w]() -> Future<void> {
      FrameProbe probe(run.counts());
      co_await ex.SimulateRandomDelay();
      co_await ev.Wait();
      EXPECT_TRUE(ev.IsSet()) << "a waiter passed an unset event";
      ++passes[w];
    });
  }
  Task<void> setter = ex.Spawn([&]() -> Future<void> {
    co_await ex.SimulateRandomDelay();
    ev.Set();
  });
  run.CancelWhileStepping({.steps = 40, .cancel_one_in = 8});
  ASSERT_TRUE(setter.IsReady());
  run.ExpectPasses(passes, 1, "waiter");
  run.ExpectEveryFrameDestroyedOnce();
}

SYNC_SWEEP(SyncSweep, ManualEvent, ManualEventSweep, /*depth=*/2, /*max_steps=*/60)

}  // namespace
}  // namespace scheduler
