// The async vocabulary (//scheduler:sync) on the Linux dispatcher's worker
// pool: the TestScheduler sweeps' scenarios with real parallelism, meant to
// run under TSan (`--config=tsan`). The invariants are the same: mutual
// exclusion, no lost hand-off or wake-up when waiters are cancelled from
// another thread, losers' frames gone before a race returns, every frame
// destroyed exactly once.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "executor/executor.h"
#include "gtest/gtest.h"
#include "platforms/internal/os_dispatchers.h"
#include "platforms/tests/frame_counters.h"
#include "scheduler/bounded_channel.h"
#include "scheduler/channel.h"
#include "scheduler/combinators.h"
#include "scheduler/oneshot.h"
#include "scheduler/spawn.h"
#include "scheduler/sync.h"
#include "scheduler/tests/sync_test_util.h"
#include "scheduler/yield.h"

namespace scheduler {
namespace {

using testing_util::FrameCounts;
using testing_util::FrameProbe;

class SyncDispatcherTest : public ::testing::Test {
 protected:
  void TearDown() override { dispatcher_->Shutdown(); }
  std::shared_ptr<PlatformDispatcher> dispatcher_ = CreateLinuxDispatcher({.worker_threads = 4});
  Executor ex_{dispatcher_};
};

TEST_F(SyncDispatcherTest, MutexExcludesAcrossWorkerThreads) {
  Mutex mu;
  long counter = 0;  // plain: TSan reports any access the mutex fails to order
  int inside = 0;
  constexpr int kTasks = 8, kRounds = 200;
  std::vector<Task<void>> tasks;
  for (int t = 0; t < kTasks; ++t) {
    tasks.push_back(ex_.Spawn([&]() -> Future<void> {
      for (int i = 0; i < kRounds; ++i) {
        Mutex::Guard guard = co_await mu.Lock();
        EXPECT_EQ(++inside, 1);
        ++counter;
        if (i % 16 == 0) co_await Yield();  // hold it across a suspension now and then
        --inside;
      }
    }));
  }
  for (Task<void>& t : tasks) ex_.Block(std::move(t));
  EXPECT_EQ(counter, kTasks * kRounds);
  EXPECT_FALSE(mu.IsLocked());
}

TEST_F(SyncDispatcherTest, WaitersCancelledFromAnotherThreadNeverKeepPermits) {
  Semaphore sem(2);
  FrameCounts counts;
  std::atomic<int> finished{0};
  for (int round = 0; round < 50; ++round) {
    std::vector<Task<void>> tasks;
    for (int t = 0; t < 6; ++t) {
      tasks.push_back(ex_.Spawn([&]() -> Future<void> {
        FrameProbe probe(counts);
        Semaphore::Permit p = co_await sem.Acquire();
        co_await Yield();
        finished.fetch_add(1);
      }));
    }
    // Cancel every other task wherever it is: queued, granted, holding.
    for (int t = 0; t < 6; t += 2) tasks[t] = Task<void>();
    for (int t = 1; t < 6; t += 2) ex_.Block(std::move(tasks[t]));
  }
  // Cancelled tasks running on a worker finish their step before their frame
  // goes; a Block on a final Acquire orders us after all of them.
  Semaphore::Permit all =
      ex_.Block([&]() -> Future<Semaphore::Permit> { co_return co_await sem.Acquire(2); });
  EXPECT_EQ(all.count(), 2u);
  all.Release();
  EXPECT_EQ(sem.available(), 2u) << "a cancelled waiter kept or lost permits";
  EXPECT_GE(finished.load(), 50 * 3);
}

TEST_F(SyncDispatcherTest, RaceDestroysLosersBeforeReturningOnRealThreads) {
  FrameCounts counts;
  for (int round = 0; round < 200; ++round) {
    int alive_after = ex_.Block([&]() -> Future<int> {
      auto spin = [&](int yields) -> Future<int> {
        FrameProbe probe(counts);
        for (int i = 0; i < yields; ++i) co_await Yield();
        co_return yields;
      };
      // Both may be running on other workers when the race decides.
      Future<int> a = spin(round % 7);
      Future<int> b = spin(3);
      co_await Race(std::move(a), std::move(b));
      co_return counts.alive();
    });
    EXPECT_EQ(alive_after, 0) << "round " << round;
  }
  EXPECT_EQ(counts.alive(), 0);
}

TEST_F(SyncDispatcherTest, WhenAllPropagatesTheFirstFailureAfterCancellingTheRest) {
  FrameCounts counts;
  for (int round = 0; round < 100; ++round) {
    bool threw = false;
    ex_.Block([&]() -> Future<void> {
      auto work = [&](bool fail) -> Future<int> {
        FrameProbe probe(counts);
        for (int i = 0; i < 4; ++i) co_await Yield();
        if (fail) throw std::runtime_error("boom");
        co_return 1;
      };
      std::vector<Future<int>> futures;
      for (int i = 0; i < 4; ++i) futures.push_back(work(i == round % 4));
      try {
        co_await WhenAll(std::move(futures));
      } catch (const std::runtime_error&) {
        threw = true;
        EXPECT_EQ(counts.alive(), 0);
      }
    });
    EXPECT_TRUE(threw);
  }
}

TEST_F(SyncDispatcherTest, AutoResetEventLosesNoSignalBetweenThreads) {
  Event ping(Event::kAutoReset), pong(Event::kAutoReset);
  constexpr int kRounds = 500;
  Task<void> responder = ex_.Spawn([&]() -> Future<void> {
    for (int i = 0; i < kRounds; ++i) {
      co_await ping.Wait();
      pong.Set();
    }
  });
  ex_.Block([&]() -> Future<void> {
    for (int i = 0; i < kRounds; ++i) {
      ping.Set();
      co_await pong.Wait();
    }
  });
  ex_.Block(std::move(responder));
}

TEST_F(SyncDispatcherTest, BoundedChannelDeliversEveryValueOnceAcrossThreads) {
  auto [tx, rx] = MakeBoundedChannel<int>(4);
  constexpr int kProducers = 3, kPerProducer = 300, kConsumers = 3;
  std::vector<std::atomic<int>> seen(kProducers * kPerProducer);
  std::vector<Task<void>> tasks;
  for (int p = 0; p < kProducers; ++p) {
    tasks.push_back(ex_.Spawn([p, tx = tx]() -> Future<void> {
      for (int i = 0; i < kPerProducer; ++i) {
        EXPECT_TRUE((co_await tx.Send(p * kPerProducer + i)).ok());
      }
    }));
  }
  { auto drop = std::move(tx); }  // the producers' copies keep it open
  std::vector<Task<int>> consumers;
  for (int c = 0; c < kConsumers; ++c) {
    consumers.push_back(ex_.Spawn([&seen, rx = rx]() -> Future<int> {
      int n = 0;
      while (std::optional<int> v = co_await rx.Recv()) {
        seen[*v].fetch_add(1);
        ++n;
      }
      co_return n;
    }));
  }
  for (Task<void>& t : tasks) ex_.Block(std::move(t));
  int total = 0;
  for (Task<int>& c : consumers) total += ex_.Block(std::move(c));
  EXPECT_EQ(total, kProducers * kPerProducer);
  for (size_t v = 0; v < seen.size(); ++v) EXPECT_EQ(seen[v].load(), 1) << v;
}

TEST_F(SyncDispatcherTest, SelectLosesNoValueAcrossThreads) {
  auto [tx_a, rx_a] = MakeBoundedChannel<int>(2);
  auto [tx_b, rx_b] = MakeBoundedChannel<int>(2);
  constexpr int kEach = 200;
  Task<void> pa = ex_.Spawn([tx = std::move(tx_a)]() -> Future<void> {
    for (int i = 0; i < kEach; ++i) (void)co_await tx.Send(i);
  });
  Task<void> pb = ex_.Spawn([tx = std::move(tx_b)]() -> Future<void> {
    for (int i = 0; i < kEach; ++i) (void)co_await tx.Send(1000 + i);
  });
  int received = ex_.Block([&]() -> Future<int> {
    int n = 0;
    bool a_open = true, b_open = true;
    while (a_open && b_open) {
      auto r = co_await Select(rx_a, rx_b);
      if (r.index() == 0) {
        a_open = std::get<0>(r).has_value();
      } else {
        b_open = std::get<1>(r).has_value();
      }
      n += (r.index() == 0 ? std::get<0>(r).has_value() : std::get<1>(r).has_value());
    }
    // Drain whichever is still open.
    while (a_open && co_await rx_a.Recv()) ++n;
    while (b_open && co_await rx_b.Recv()) ++n;
    co_return n;
  });
  EXPECT_EQ(received, 2 * kEach) << "Select lost or duplicated a value";
  ex_.Block(std::move(pa));
  ex_.Block(std::move(pb));
}

TEST_F(SyncDispatcherTest, BarrierPhasesHaveOneLeaderEach) {
  Barrier barrier(4);
  std::atomic<int> leaders{0};
  constexpr int kPhases = 100;
  std::vector<Task<void>> tasks;
  for (int t = 0; t < 4; ++t) {
    tasks.push_back(ex_.Spawn([&]() -> Future<void> {
      for (int i = 0; i < kPhases; ++i) {
        if (co_await barrier.ArriveAndWait()) leaders.fetch_add(1);
      }
    }));
  }
  for (Task<void>& t : tasks) ex_.Block(std::move(t));
  EXPECT_EQ(leaders.load(), kPhases);
  EXPECT_EQ(barrier.phase(), static_cast<uint64_t>(kPhases));
}

// Counts `counter` down when the coroutine frame holding it (as a parameter)
// is destroyed, whether or not the coroutine ever ran.
class Gone {
 public:
  explicit Gone(absl::BlockingCounter* counter) : counter_(counter) {}
  Gone(Gone&& other) noexcept : counter_(std::exchange(other.counter_, nullptr)) {}
  Gone& operator=(Gone&&) = delete;
  ~Gone() {
    if (counter_ != nullptr) counter_->DecrementCount();
  }

 private:
  absl::BlockingCounter* counter_;
};

// Cancellation at the barrier: each round is one phase of a Barrier(5). Two
// survivors and two victims arrive on the workers while this thread cancels
// the victims; four live arrivals cannot complete a phase, so a victim is
// never released and every victim withdraws its arrival (or never made one).
// Once the victims' frames are gone, three more survivors arrive: the phase
// must complete with exactly the five survivors, one of them the leader. An
// arrival a cancelled victim failed to withdraw would complete the phase
// early and leave a survivor waiting (caught by the bounded Block below).
TEST_F(SyncDispatcherTest, BarrierWaitersCancelledFromAnotherThreadWithdrawTheirArrival) {
  constexpr uint64_t kParties = 5;
  constexpr int kEarly = 2, kVictims = 2, kLate = 3, kRounds = 200;
  static_assert(kEarly + kVictims < kParties && kEarly + kLate == kParties);
  Barrier barrier(kParties);
  FrameCounts counts;
  std::atomic<int> victims_resumed{0};
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<int> leaders{0}, followers{0};
    auto survivor = [&]() -> Future<void> {
      FrameProbe probe(counts);
      if (co_await barrier.ArriveAndWait()) {
        leaders.fetch_add(1);
      } else {
        followers.fetch_add(1);
      }
    };
    absl::BlockingCounter victims_gone(kVictims);
    // Victims yield 0-2 times first, so the cancel below finds them not
    // started, between yields, arriving or waiting. `gone` is a parameter so
    // it lives in the frame from the start, even if the victim never runs.
    auto victim = [&]([[maybe_unused]] Gone gone, int yields) -> Future<void> {
      FrameProbe probe(counts);
      for (int y = 0; y < yields; ++y) co_await Yield();
      co_await barrier.ArriveAndWait();
      victims_resumed.fetch_add(1);
    };
    std::vector<Task<void>> survivors, victims;
    for (int i = 0; i < kEarly + kVictims; ++i) {
      if (i % 2 == 0) {
        survivors.push_back(ex_.Spawn(survivor()));
      } else {
        victims.push_back(ex_.Spawn(victim(Gone(&victims_gone), (round + i) % 3)));
      }
    }
    for (Task<void>& v : victims) v = Task<void>();
    victims_gone.Wait();
    for (int i = 0; i < kLate; ++i) survivors.push_back(ex_.Spawn(survivor()));
    for (Task<void>& t : survivors) {
      BlockResult<void> r = ex_.BlockWithTimeout(std::chrono::seconds(30), std::move(t));
      ASSERT_FALSE(r.timed_out()) << "round " << round
                                  << ": a survivor was left waiting (a lost wake-up, or a "
                                     "cancelled victim's arrival counted)";
    }
    EXPECT_EQ(leaders.load(), 1) << "round " << round;
    EXPECT_EQ(followers.load(), static_cast<int>(kParties) - 1) << "round " << round;
    EXPECT_EQ(barrier.phase(), static_cast<uint64_t>(round + 1));
  }
  EXPECT_EQ(victims_resumed.load(), 0) << "a victim was released by a phase it cannot complete";
  EXPECT_EQ(counts.alive(), 0);
}

TEST_F(SyncDispatcherTest, BroadcastReceiversSeeIncreasingValuesAndTheEnd) {
  auto [tx, rx] = MakeBroadcast<int>(8);
  constexpr int kValues = 500, kReceivers = 3;
  std::vector<Task<int>> receivers;
  for (int r = 0; r < kReceivers; ++r) {
    receivers.push_back(ex_.Spawn([rx = rx]() mutable -> Future<int> {
      int last = -1, received = 0;
      while (true) {
        absl::StatusOr<int> v = co_await rx.Recv();
        if (absl::IsOutOfRange(v.status())) break;  // closed and drained
        if (!v.ok()) continue;                      // lagged: told, then continue
        EXPECT_GT(*v, last) << "a broadcast value went backwards or repeated";
        last = *v;
        ++received;
      }
      EXPECT_EQ(last, kValues - 1) << "the last value must reach every receiver";
      co_return received;
    }));
  }
  Task<void> sender = ex_.Spawn([tx = std::move(tx)]() mutable -> Future<void> {
    for (int i = 0; i < kValues; ++i) {
      tx.Send(i);
      if (i % 8 == 0) co_await Yield();
    }
  });
  ex_.Block(std::move(sender));
  for (Task<int>& r : receivers) EXPECT_GT(ex_.Block(std::move(r)), 0);
}

TEST_F(SyncDispatcherTest, SelectOverBoundedAndUnboundedLosesNoValueWhenCancelled) {
  // The consumer races every Select against a few yields, so Selects are
  // cancelled on one worker while their receives complete on others.
  auto [tx_a, rx_a] = MakeBoundedChannel<int>(2);
  auto [tx_b, rx_b] = MakeChannel<int>();
  constexpr int kEach = 300;
  Task<void> pa = ex_.Spawn([tx = std::move(tx_a)]() -> Future<void> {
    for (int i = 0; i < kEach; ++i) EXPECT_TRUE((co_await tx.Send(i)).ok());
  });
  Task<void> pb = ex_.Spawn([tx = std::move(tx_b)]() -> Future<void> {
    for (int i = 0; i < kEach; ++i) {
      EXPECT_TRUE(tx.Send(1000 + i).ok());
      if (i % 4 == 0) co_await Yield();
    }
  });
  std::multiset<int> received = ex_.Block([&]() -> Future<std::multiset<int>> {
    std::multiset<int> got;
    bool a_open = true, b_open = true;
    int round = 0;
    auto yields = [](int n) -> Future<void> {
      for (int i = 0; i < n; ++i) co_await Yield();
    };
    while (a_open && b_open) {
      auto r = co_await Race(Select(rx_a, rx_b), yields(++round % 3));
      if (r.index() == 1) continue;  // the Select lost: its values went back
      auto& selected = std::get<0>(r);
      std::optional<int> v = selected.index() == 0 ? std::get<0>(selected) : std::get<1>(selected);
      if (!v.has_value()) (selected.index() == 0 ? a_open : b_open) = false;
      if (v.has_value()) got.insert(*v);
    }
    while (a_open) {
      std::optional<int> v = co_await rx_a.Recv();
      if (!v.has_value()) break;
      got.insert(*v);
    }
    while (b_open) {
      std::optional<int> v = co_await rx_b.Recv();
      if (!v.has_value()) break;
      got.insert(*v);
    }
    co_return got;
  });
  ex_.Block(std::move(pa));
  ex_.Block(std::move(pb));
  EXPECT_EQ(received.size(), 2u * kEach) << "a cancelled Select lost or duplicated a value";
  for (int v : received) EXPECT_EQ(received.count(v), 1u) << v;
}

// A waiter cancelled from this thread may still be finishing its step on a
// worker, so the primitive is shared with the frames and outlives them.
TEST_F(SyncDispatcherTest, LatchReleasesEverySurvivingWaiterOnce) {
  struct Round {
    Latch latch{3};
    std::atomic<int> passed{0};
  };
  for (int i = 0; i < 100; ++i) {
    auto round = std::make_shared<Round>();
    std::vector<Task<void>> waiters;
    for (int w = 0; w < 6; ++w) {
      waiters.push_back(ex_.Spawn([round]() -> Future<void> {
        co_await round->latch.Wait();
        EXPECT_TRUE(round->latch.IsReady());
        round->passed.fetch_add(1);
      }));
    }
    // Counted down on workers while some waiters are cancelled here.
    std::vector<Task<void>> counters;
    for (int c = 0; c < 3; ++c) {
      counters.push_back(ex_.Spawn([round]() -> Future<void> {
        co_await Yield();
        round->latch.CountDown();
      }));
    }
    for (int w = 0; w < 6; w += 2) waiters[w] = Task<void>();
    for (Task<void>& c : counters) ex_.Block(std::move(c));
    for (int w = 1; w < 6; w += 2) ex_.Block(std::move(waiters[w]));
    EXPECT_GE(round->passed.load(), 3) << "round " << i << ": a survivor lost its wake-up";
    EXPECT_LE(round->passed.load(), 6) << "round " << i << ": a waiter resumed twice";
  }
}

TEST_F(SyncDispatcherTest, ManualResetEventReleasesEveryWaiterAcrossThreads) {
  for (int i = 0; i < 100; ++i) {
    auto ev = std::make_shared<Event>(Event::kManualReset);
    std::vector<Task<void>> waiters;
    for (int w = 0; w < 4; ++w) {
      waiters.push_back(ex_.Spawn([ev]() -> Future<void> {
        co_await ev->Wait();
        EXPECT_TRUE(ev->IsSet()) << "a waiter passed an unset event";
      }));
    }
    waiters[0] = Task<void>();  // cancelled wherever it is
    Task<void> setter = ex_.Spawn([ev]() -> Future<void> {
      co_await Yield();
      ev->Set();
    });
    ex_.Block(std::move(setter));
    for (int w = 1; w < 4; ++w) ex_.Block(std::move(waiters[w]));  // hangs on a lost wake-up
  }
}

TEST_F(SyncDispatcherTest, WatchReceiversEndOnTheLatestValue) {
  auto [tx, rx] = MakeWatch<int>(0);
  constexpr int kValues = 300, kWatchers = 3;
  std::vector<Task<int>> watchers;
  for (int w = 0; w < kWatchers; ++w) {
    watchers.push_back(ex_.Spawn([rx = rx]() mutable -> Future<int> {
      int last = 0;
      while (co_await rx.Changed()) {
        const int v = rx.Borrow();
        EXPECT_GE(v, last) << "a watcher saw an older value";
        last = v;
      }
      co_return last;
    }));
  }
  Task<void> sender = ex_.Spawn([tx = std::move(tx)]() mutable -> Future<void> {
    for (int i = 1; i <= kValues; ++i) {
      tx.Send(i);
      if (i % 8 == 0) co_await Yield();
    }
  });
  ex_.Block(std::move(sender));
  for (Task<int>& w : watchers) EXPECT_EQ(ex_.Block(std::move(w)), kValues);
}

TEST_F(SyncDispatcherTest, ChannelLosesNothingToACancelledReceiver) {
  for (int round = 0; round < 200; ++round) {
    auto [tx, rx] = MakeChannel<int>();
    // What the doomed receiver took, reported through a oneshot: its sender
    // dies with the frame, so awaiting it orders us after the frame is gone.
    auto [took_tx, took_rx] = MakeOneshot<int>();
    Task<void> doomed = ex_.Spawn([&rx, took = std::move(took_tx)]() mutable -> Future<void> {
      std::optional<int> v = co_await rx.Recv();
      (void)std::move(took).Send(v.value_or(0));
    });
    Task<void> producer = ex_.Spawn([tx = std::move(tx)]() -> Future<void> {
      co_await Yield();
      EXPECT_TRUE(tx.Send(1).ok());
      EXPECT_TRUE(tx.Send(2).ok());
    });
    doomed = Task<void>();  // cancelled while a worker may be handing it a value
    const int took = ex_.Block([&]() -> Future<int> {
      absl::StatusOr<int> v = co_await std::move(took_rx);
      co_return v.value_or(0);  // Cancelled: the frame died before receiving
    });
    ex_.Block(std::move(producer));
    const int rest = ex_.Block([&]() -> Future<int> {
      int total = 0;
      while (std::optional<int> v = co_await rx.Recv()) total += *v;
      co_return total;
    });
    EXPECT_EQ(took + rest, 3) << "round " << round << ": a value was lost or received twice";
  }
}

TEST_F(SyncDispatcherTest, WithTimeoutDestroysTheLateBranchBeforeReturning) {
  FrameCounts counts;
  auto never = std::make_shared<Event>(Event::kManualReset);
  for (int round = 0; round < 50; ++round) {
    // Expires on the real clock: the branch waiting on `never` is cancelled
    // on a worker and its frame is gone before WithTimeout returns.
    const int alive_after = ex_.Block([&]() -> Future<int> {
      auto wait = [&]() -> Future<int> {
        FrameProbe probe(counts);
        co_await never->Wait();
        co_return 1;
      };
      std::optional<int> r = co_await WithTimeout(wait(), std::chrono::microseconds(200));
      EXPECT_FALSE(r.has_value());
      co_return counts.alive();
    });
    EXPECT_EQ(alive_after, 0) << "round " << round;
    // In time: the value, and the timer is dropped.
    std::optional<int> fast = ex_.Block([&]() -> Future<std::optional<int>> {
      auto work = [&]() -> Future<int> {
        FrameProbe probe(counts);
        co_await Yield();
        co_return 7;
      };
      co_return co_await WithTimeout(work(), std::chrono::seconds(30));
    });
    EXPECT_EQ(fast, 7);
  }
  EXPECT_EQ(counts.alive(), 0);
}

// Counts every finish the observer hears, per dispatcher.
class FinishCounter final : public TaskObserver {
 public:
  void OnTaskSpawned(const TaskMetadata&) override {}
  void OnTaskFinished(const TaskMetadata&) override { finished.fetch_add(1); }
  std::atomic<int> finished{0};
};

// Detached tasks suspended on an Event are released by another thread while
// Shutdown runs: each one either completes (woken before the pool stopped)
// or is cancelled (by the Runnable refused during shutdown, or by Shutdown's
// sweep of the tasks nothing else reaches), never both, never neither, and
// every frame is destroyed exactly once. No sleeps: the only ordering is the
// BlockingCounter (every task has reached its await's step) and the joins.
TEST(ShutdownSweepTest, DetachedTasksWokenDuringShutdownFinishExactlyOnce) {
  constexpr int kIterations = 200;
  constexpr int kTasks = 16;
  for (int iteration = 0; iteration < kIterations; ++iteration) {
    std::shared_ptr<PlatformDispatcher> dispatcher = CreateLinuxDispatcher({.worker_threads = 2});
    auto observer = std::make_shared<FinishCounter>();
    dispatcher->AddTaskObserver(observer);
    Executor ex(dispatcher);
    Event event(Event::kManualReset);
    Semaphore never(0);  // half of the tasks wait on this: only the sweep ends them
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    std::atomic<int> completed{0};
    absl::BlockingCounter reached(kTasks);
    for (int i = 0; i < kTasks; ++i) {
      ex.Spawn([&, i, sentinel = FrameSentinel(destroyed)]() -> Future<void> {
          reached.DecrementCount();
          if (i % 2 == 0) {
            co_await event.Wait();
          } else {
            (void)co_await never.Acquire();
          }
          completed.fetch_add(1);
        }).Detach();
    }
    reached.Wait();
    std::thread setter([&] { event.Set(); });
    dispatcher->Shutdown();
    setter.join();
    ASSERT_EQ(destroyed->load(), kTasks) << "iteration " << iteration;
    ASSERT_EQ(observer->finished.load(), kTasks) << "iteration " << iteration;
    ASSERT_LE(completed.load(), kTasks / 2) << "iteration " << iteration;
  }
}

}  // namespace
}  // namespace scheduler
