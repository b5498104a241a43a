// Bounded and watch channels and Select (scheduler/bounded_channel.h):
// backpressure, close, values given back by cancelled receives, and sweeps
// over many seeds (random and PCT) with producers and consumers cancelled at
// every await: no value lost, none received twice.
#include "scheduler/bounded_channel.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "executor/executor.h"
#include "gtest/gtest.h"
#include "scheduler/channel.h"
#include "scheduler/spawn.h"
#include "scheduler/tests/sweep_util.h"
#include "scheduler/tests/sync_test_util.h"
#include "testing/harness.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

using testing_util::FrameProbe;
using testing_util::SweepRun;

TEST(BoundedChannelTest, SendWaitsWhileFullAndValuesArriveInOrder) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  auto [tx, rx] = MakeBoundedChannel<int>(2);
  int sent = 0;
  Task<void> producer = ex.Spawn([&, tx = tx]() -> Future<void> {
    for (int i = 0; i < 5; ++i) {
      EXPECT_TRUE((co_await tx.Send(i)).ok());
      ++sent;
    }
  });
  scheduler->RunUntilParked();
  EXPECT_EQ(sent, 2) << "backpressure: the third Send waits";
  EXPECT_EQ(rx.size(), 2u);
  std::vector<int> got;
  Task<void> consumer = ex.Spawn([&]() -> Future<void> {
    for (int i = 0; i < 5; ++i) got.push_back(*co_await rx.Recv());
  });
  scheduler->RunUntilParked();
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(producer.IsReady());
}

TEST(BoundedChannelTest, CloseWakesWaitingSendersWithAnErrorAndReceiversDrainFirst) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  auto [tx, rx] = MakeBoundedChannel<int>(1);
  ASSERT_TRUE(tx.TrySend(*std::make_unique<int>(1)).ok());
  absl::Status blocked_send;
  Task<void> sender =
      ex.Spawn([&, tx = tx]() -> Future<void> { blocked_send = co_await tx.Send(2); });
  scheduler->RunUntilParked();
  EXPECT_FALSE(sender.IsReady());
  rx.Close();
  scheduler->RunUntilParked();
  ASSERT_TRUE(sender.IsReady());
  EXPECT_EQ(blocked_send.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(blocked_send.message().find("bounded_channel_test.cc"), std::string_view::npos)
      << blocked_send.message();
  std::vector<std::optional<int>> got;
  ex.Block([&]() -> Future<void> {
    got.push_back(co_await rx.Recv());
    got.push_back(co_await rx.Recv());
  });
  EXPECT_EQ(got, (std::vector<std::optional<int>>{1, std::nullopt}));
}

TEST(BoundedChannelTest, DroppingTheLastSenderEndsTheStreamAfterTheQueuedValues) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  auto [tx, rx] = MakeBoundedChannel<int>(4);
  std::vector<std::optional<int>> got;
  Task<void> consumer = ex.Spawn([&]() -> Future<void> {
    for (int i = 0; i < 3; ++i) got.push_back(co_await rx.Recv());
  });
  {
    int v = 7;
    ASSERT_TRUE(tx.TrySend(v).ok());
    auto moved = std::move(tx);
  }
  scheduler->RunUntilParked();
  EXPECT_EQ(got, (std::vector<std::optional<int>>{7, std::nullopt, std::nullopt}));
}

TEST(BoundedChannelTest, AReceiverCancelledAfterTheHandOffGivesTheValueBack) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  auto [tx, rx] = MakeBoundedChannel<int>(1);
  std::optional<int> first, second;
  Task<void> a = ex.Spawn([&]() -> Future<void> { first = co_await rx.Recv(); });
  scheduler->RunUntilParked();
  Task<void> b = ex.Spawn([&]() -> Future<void> { second = co_await rx.Recv(); });
  scheduler->RunUntilParked();
  int v = 5;
  ASSERT_TRUE(tx.TrySend(v).ok());  // handed to `a`, which is now scheduled
  a = Task<void>();                 // cancelled before it ran
  scheduler->RunUntilParked();
  EXPECT_FALSE(first.has_value());
  EXPECT_EQ(second, 5) << "the value handed to the cancelled receiver was lost";
}

TEST(SelectTest, ReceivesFromTheReadyChannelAndGivesBackWhatALoserTook) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  auto [tx_a, rx_a] = MakeBoundedChannel<int>(4);
  auto [tx_b, rx_b] = MakeBoundedChannel<std::string>(4);
  std::string s = "b";
  ASSERT_TRUE(tx_b.TrySend(s).ok());
  auto first = ex.Block([&]() { return Select(rx_a, rx_b); });
  ASSERT_EQ(first.index(), 1u);
  EXPECT_EQ(*std::get<1>(first), "b");
  // Both ready: the lower index wins; the other value stays in its channel.
  int a = 1;
  s = "b2";
  ASSERT_TRUE(tx_a.TrySend(a).ok());
  ASSERT_TRUE(tx_b.TrySend(s).ok());
  auto second = ex.Block([&]() { return Select(rx_a, rx_b); });
  ASSERT_EQ(second.index(), 0u);
  EXPECT_EQ(*std::get<0>(second), 1);
  EXPECT_EQ(rx_b.TryRecv(), "b2") << "a value taken by the losing receive was lost";
}

TEST(SelectTest, MixesBoundedAndUnboundedReceivers) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  auto [tx_a, rx_a] = MakeBoundedChannel<int>(4);
  auto [tx_b, rx_b] = MakeChannel<std::string>();
  // Neither ready yet: the Select waits, then the unbounded send wakes it.
  std::optional<std::variant<std::optional<int>, std::optional<std::string>>> first;
  Task<void> waiter = ex.Spawn([&]() -> Future<void> { first = co_await Select(rx_a, rx_b); });
  scheduler->RunUntilParked();
  EXPECT_FALSE(first.has_value());
  ASSERT_TRUE(tx_b.Send("b").ok());
  scheduler->RunUntilParked();
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->index(), 1u);
  EXPECT_EQ(*std::get<1>(*first), "b");
  // Both ready: the lower index wins; the unbounded channel keeps its value.
  int a = 1;
  ASSERT_TRUE(tx_a.TrySend(a).ok());
  ASSERT_TRUE(tx_b.Send("b2").ok());
  auto second = ex.Block([&]() { return Select(rx_a, rx_b); });
  ASSERT_EQ(second.index(), 0u);
  EXPECT_EQ(*std::get<0>(second), 1);
  EXPECT_EQ(rx_b.TryRecv(), "b2") << "a value taken by the losing receive was lost";
  // A closed unbounded channel is selected with nullopt.
  { auto gone = std::move(tx_b); }
  auto third = ex.Block([&]() { return Select(rx_a, rx_b); });
  ASSERT_EQ(third.index(), 1u);
  EXPECT_FALSE(std::get<1>(third).has_value());
}

TEST(WatchTest, ReceiversSeeTheLatestValueAndTheEnd) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  auto [tx, rx] = MakeWatch<int>(0);
  std::vector<int> seen;
  bool ended = false;
  Task<void> watcher = ex.Spawn([&, rx = rx]() mutable -> Future<void> {
    while (co_await rx.Changed()) seen.push_back(rx.Borrow());
    ended = true;
  });
  scheduler->RunUntilParked();
  EXPECT_TRUE(seen.empty()) << "the initial value counts as seen";
  tx.Send(1);
  tx.Send(2);  // before the watcher runs: it sees only the latest
  scheduler->RunUntilParked();
  EXPECT_EQ(seen, (std::vector<int>{2}));
  tx.Send(3);
  scheduler->RunUntilParked();
  EXPECT_EQ(seen, (std::vector<int>{2, 3}));
  { auto gone = std::move(tx); }
  scheduler->RunUntilParked();
  EXPECT_TRUE(ended);
}

TEST(BroadcastTest, EveryReceiverSeesEveryValueAndALaggardIsTold) {
  auto scheduler = TestScheduler::Create();
  Executor ex(scheduler);
  auto [tx, rx] = MakeBroadcast<int>(2);
  BroadcastReceiver<int> late = tx.Subscribe();
  std::vector<int> got;
  Task<void> follower = ex.Spawn([&, rx = rx]() mutable -> Future<void> {
    while (true) {
      absl::StatusOr<int> v = co_await rx.Recv();
      if (!v.ok()) break;
      got.push_back(*v);
    }
  });
  tx.Send(1);
  scheduler->RunUntilParked();
  tx.Send(2);
  scheduler->RunUntilParked();
  EXPECT_EQ(got, (std::vector<int>{1, 2}));
  tx.Send(3);  // `late` has not received anything: 1 falls out of its window
  std::vector<std::string> late_saw;
  ex.Block([&]() -> Future<void> {
    for (int i = 0; i < 3; ++i) {
      absl::StatusOr<int> v = co_await late.Recv();
      late_saw.push_back(v.ok() ? std::to_string(*v) : std::string(v.status().message()));
    }
  });
  EXPECT_EQ(late_saw,
            (std::vector<std::string>{"broadcast receiver lagged: 1 values missed", "2", "3"}));
  { auto gone = std::move(tx); }
  scheduler->RunUntilParked();
  EXPECT_TRUE(follower.IsReady()) << "closing must end the follower's loop";
  EXPECT_EQ(got, (std::vector<int>{1, 2, 3}));
}

TEST(BoundedChannelDeathTest, ZeroCapacityNamesTheCallSite) {
  EXPECT_DEATH({ auto ch = MakeBoundedChannel<int>(0); },
               "MakeBoundedChannel with capacity 0 at .*bounded_channel_test.cc");
}

// Producers send distinct values; consumers receive; the test cancels a
// seeded subset of both at seeded moments. Then a fresh receiver drains the
// channel. Invariants: no value received twice, every value whose Send
// returned OK is received, nothing received that was never sent, every frame
// destroyed exactly once.
void ChannelSweep(const std::shared_ptr<TestScheduler>& scheduler) {
  Executor ex(scheduler);
  auto [tx, rx] = MakeBoundedChannel<int>(1 + scheduler->Rng().Below(3));
  std::multiset<int> received;
  std::set<int> acknowledged;
  constexpr int kProducers = 3, kPerProducer = 4, kConsumers = 2;
  SweepRun run(scheduler);
  for (int p = 0; p < kProducers; ++p) {
    run.Spawn(ex, [&, p, tx = tx]() -> Future<void> {
      FrameProbe probe(run.counts());
      for (int i = 0; i < kPerProducer; ++i) {
        const int v = p * 100 + i;
        if ((co_await tx.Send(v)).ok()) acknowledged.insert(v);
      }
    });
  }
  for (int c = 0; c < kConsumers; ++c) {
    run.Spawn(ex, [&, rx = rx]() -> Future<void> {
      FrameProbe probe(run.counts());
      while (std::optional<int> v = co_await rx.Recv()) {
        received.insert(*v);
        co_await ex.SimulateRandomDelay();
      }
    });
  }
  { auto drop = std::move(tx); }  // the producers' copies keep it open
  run.CancelWhileStepping({.steps = 50, .cancel_one_in = 8});
  // Consumers may all be gone: drain what is left with a fresh task.
  ex.Block([&]() -> Future<void> {
    while (std::optional<int> v = rx.TryRecv()) received.insert(*v);
    co_return;
  });
  for (int v : received) {
    EXPECT_EQ(received.count(v), 1u) << v << " received twice";
    EXPECT_TRUE(v % 100 < kPerProducer && v / 100 < kProducers) << v << " was never sent";
  }
  for (int v : acknowledged) EXPECT_EQ(received.count(v), 1u) << v << " was sent but lost";
  run.ExpectEveryFrameDestroyedOnce(/*run_until_parked_first=*/true);
}

SYNC_SWEEP(ChannelSweep, , ChannelSweep, /*depth=*/3, /*max_steps=*/80)

// A sender publishes 1..kValues with seeded delays; watchers follow and are
// cancelled at seeded steps. Invariants: each watcher sees strictly
// increasing values (never a stale or repeated one); every survivor ends on
// the last value and sees the end (no lost wake-up); frames once.
void WatchSweep(const std::shared_ptr<TestScheduler>& scheduler) {
  Executor ex(scheduler);
  auto [tx, rx] = MakeWatch<int>(0);
  constexpr int kWatchers = 3, kValues = 6;
  std::vector<std::vector<int>> seen(kWatchers);
  std::vector<bool> ended(kWatchers, false);
  SweepRun run(scheduler);
  for (int w = 0; w < kWatchers; ++w) {
    run.Spawn(ex, [&, w, rx = rx]() mutable -> Future<void> {
      FrameProbe probe(run.counts());
      while (co_await rx.Changed()) {
        seen[w].push_back(rx.Borrow());
        co_await ex.SimulateRandomDelay();
      }
      ended[w] = true;
    });
  }
  Task<void> sender = ex.Spawn([&, tx = std::move(tx)]() mutable -> Future<void> {
    for (int v = 1; v <= kValues; ++v) {
      tx.Send(v);
      co_await ex.SimulateRandomDelay();
    }
  });
  run.CancelWhileStepping({.steps = 60, .cancel_one_in = 10});
  ASSERT_TRUE(sender.IsReady());
  for (int w = 0; w < kWatchers; ++w) {
    for (size_t i = 1; i < seen[w].size(); ++i) {
      EXPECT_LT(seen[w][i - 1], seen[w][i]) << "watcher " << w << " saw a stale value";
    }
    if (run.cancelled(w)) continue;
    EXPECT_TRUE(ended[w]) << "watcher " << w << " missed the end";
    ASSERT_FALSE(seen[w].empty());
    EXPECT_EQ(seen[w].back(), kValues) << "watcher " << w << " missed the last value";
  }
  run.ExpectSurvivorsFinished("watcher");
  run.ExpectEveryFrameDestroyedOnce();
}

SYNC_SWEEP(WatchSweep, , WatchSweep, /*depth=*/2, /*max_steps=*/80)

// A bounded and an unbounded channel, producers on both, one consumer
// selecting over them; producers and the consumer are cancelled at seeded
// steps, then the test drains both channels. Invariants: no value received
// twice or never sent; every value whose send succeeded is received (a
// losing or cancelled receive gave it back); every frame destroyed once.
void SelectSweep(const std::shared_ptr<TestScheduler>& scheduler) {
  Executor ex(scheduler);
  auto [tx_a, rx_a] = MakeBoundedChannel<int>(1 + scheduler->Rng().Below(2));
  auto [tx_b, rx_b] = MakeChannel<int>();
  std::multiset<int> received;
  std::set<int> acknowledged;
  constexpr int kEach = 4;
  SweepRun run(scheduler);
  run.Spawn(ex, [&, tx = std::move(tx_a)]() -> Future<void> {
    FrameProbe probe(run.counts());
    for (int i = 0; i < kEach; ++i) {
      if ((co_await tx.Send(i)).ok()) acknowledged.insert(i);
    }
  });
  run.Spawn(ex, [&, tx = std::move(tx_b)]() -> Future<void> {
    FrameProbe probe(run.counts());
    for (int i = 0; i < kEach; ++i) {
      if (tx.Send(100 + i).ok()) acknowledged.insert(100 + i);
      co_await ex.SimulateRandomDelay();
    }
  });
  run.Spawn(ex, [&]() -> Future<void> {
    FrameProbe probe(run.counts());
    bool a_open = true, b_open = true;
    while (a_open && b_open) {
      auto r = co_await Select(rx_a, rx_b);
      std::optional<int> v = r.index() == 0 ? std::get<0>(r) : std::get<1>(r);
      if (!v.has_value()) (r.index() == 0 ? a_open : b_open) = false;
      if (v.has_value()) received.insert(*v);
      co_await ex.SimulateRandomDelay();
    }
  });
  run.CancelWhileStepping({.steps = 50, .cancel_one_in = 8});
  while (std::optional<int> v = rx_a.TryRecv()) received.insert(*v);
  while (std::optional<int> v = rx_b.TryRecv()) received.insert(*v);
  for (int v : received) {
    EXPECT_EQ(received.count(v), 1u) << v << " received twice";
    EXPECT_TRUE(v % 100 < kEach && v / 100 < 2) << v << " was never sent";
  }
  for (int v : acknowledged) EXPECT_EQ(received.count(v), 1u) << v << " was sent but lost";
  run.ExpectEveryFrameDestroyedOnce(/*run_until_parked_first=*/true);
}

SYNC_SWEEP(SelectSweep, , SelectSweep, /*depth=*/3, /*max_steps=*/80)

// Broadcast: a sender publishes 0..kValues-1 with seeded delays into a ring
// of seeded capacity (so receivers may lag); receivers follow with seeded
// delays; the sender and receivers are cancelled at seeded steps.
// Invariants: each receiver sees strictly increasing values, and every value
// it skipped is accounted for by a DataLoss report (no silent loss); each
// await resumes once; every surviving receiver sees the end once the sender
// is gone (no lost wake-up); every frame destroyed once.
void BroadcastSweep(const std::shared_ptr<TestScheduler>& scheduler) {
  Executor ex(scheduler);
  auto [tx, rx] = MakeBroadcast<int>(1 + scheduler->Rng().Below(3));
  constexpr int kReceivers = 3, kValues = 6;
  std::vector<int> seen(kReceivers, 0), missed(kReceivers, 0), last(kReceivers, -1);
  std::vector<bool> ended(kReceivers, false);
  int sent = 0;
  SweepRun run(scheduler);
  for (int r = 0; r < kReceivers; ++r) {
    run.Spawn(ex, [&, r, rx = rx]() mutable -> Future<void> {
      FrameProbe probe(run.counts());
      while (true) {
        absl::StatusOr<int> v = co_await rx.Recv();
        if (absl::IsOutOfRange(v.status())) break;
        if (absl::IsDataLoss(v.status())) {
          // "broadcast receiver lagged: N values missed"
          std::string message(v.status().message());
          missed[r] += std::stoi(message.substr(message.find(':') + 2));
          continue;
        }
        EXPECT_TRUE(v.ok()) << v.status();
        EXPECT_GT(*v, last[r]) << "receiver " << r << " saw a value twice or out of order";
        EXPECT_EQ(*v, seen[r] + missed[r]) << "receiver " << r << " skipped a value silently";
        last[r] = *v;
        ++seen[r];
        co_await ex.SimulateRandomDelay();
      }
      EXPECT_FALSE(ended[r]) << "receiver " << r << " resumed after its end";
      ended[r] = true;
    });
  }
  { auto drop = std::move(rx); }
  run.Spawn(ex, [&, tx = std::move(tx)]() mutable -> Future<void> {
    FrameProbe probe(run.counts());
    for (int i = 0; i < kValues; ++i) {
      tx.Send(i);
      ++sent;
      co_await ex.SimulateRandomDelay();
    }
  });
  run.CancelWhileStepping({.steps = 60, .cancel_one_in = 10});
  for (int r = 0; r < kReceivers; ++r) {
    // Every value up to the last one seen was either seen or reported missed.
    EXPECT_EQ(seen[r] + missed[r], last[r] + 1) << "receiver " << r << " lost a value silently";
    if (run.cancelled(r)) continue;
    EXPECT_TRUE(ended[r]) << "receiver " << r << " missed the end";
    EXPECT_EQ(seen[r] + missed[r], sent) << "receiver " << r << " missed values at the end";
  }
  run.ExpectEveryFrameDestroyedOnce();
}

SYNC_SWEEP(BroadcastSweep, , BroadcastSweep, /*depth=*/2, /*max_steps=*/80)

}  // namespace
}  // namespace scheduler
