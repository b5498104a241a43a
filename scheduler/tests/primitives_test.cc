// Yield, oneshot and channel semantics.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/block.h"
#include "scheduler/channel.h"
#include "scheduler/oneshot.h"
#include "scheduler/spawn.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

TEST(OneshotTest, DeliversTheValue) {
  auto scheduler = TestScheduler::Create();
  auto [tx, rx] = MakeOneshot<std::string>();
  Task<std::string> task = Spawn(scheduler, [rx = std::move(rx)]() mutable -> Future<std::string> {
    absl::StatusOr<std::string> v = co_await std::move(rx);
    co_return v.ok() ? *v : std::string(v.status().message());
  });
  scheduler->RunUntilParked();
  EXPECT_FALSE(task.IsReady()) << "waits for the value";
  EXPECT_TRUE(std::move(tx).Send("hello").ok());
  EXPECT_EQ(Block(scheduler, std::move(task)), "hello");
}

TEST(OneshotTest, DroppedSenderIsAnErrorNamingWhereItWasMade) {
  auto scheduler = TestScheduler::Create();
  auto [tx, rx] = MakeOneshot<int>();
  Task<absl::Status> task =
      Spawn(scheduler, [rx = std::move(rx)]() mutable -> Future<absl::Status> {
        absl::StatusOr<int> v = co_await std::move(rx);
        co_return v.status();
      });
  scheduler->RunUntilParked();
  { auto dropped = std::move(tx); }
  absl::Status status = Block(scheduler, std::move(task));
  EXPECT_TRUE(absl::IsCancelled(status)) << status;
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("primitives_test.cc"));
}

TEST(OneshotTest, SendToDroppedReceiverFails) {
  auto [tx, rx] = MakeOneshot<int>();
  { auto dropped = std::move(rx); }
  EXPECT_TRUE(absl::IsFailedPrecondition(std::move(tx).Send(1)));
}

TEST(OneshotTest, ValueSentBeforeAwaitIsReadyAtOnce) {
  auto scheduler = TestScheduler::Create();
  auto [tx, rx] = MakeOneshot<int>();
  ASSERT_TRUE(std::move(tx).Send(5).ok());
  EXPECT_EQ(*Block(scheduler,
                   [rx = std::move(rx)]() mutable -> Future<absl::StatusOr<int>> {
                     co_return co_await std::move(rx);
                   }),
            5);
}

TEST(ChannelTest, ValuesArriveInOrderThenClose) {
  auto scheduler = TestScheduler::Create({.seed = 11});
  auto [tx, rx] = MakeChannel<int>();
  Task<std::vector<int>> consumer =
      Spawn(scheduler, [rx = std::move(rx)]() mutable -> Future<std::vector<int>> {
        std::vector<int> got;
        while (std::optional<int> v = co_await rx.Recv()) got.push_back(*v);
        co_return got;
      });
  Task<void> producer = Spawn(scheduler, [tx = std::move(tx)]() -> Future<void> {
    for (int i = 0; i < 5; ++i) {
      EXPECT_TRUE(tx.Send(i).ok());
      co_await Yield();
    }
  });
  Block(scheduler, std::move(producer));  // the producer's frame (and sender) is gone now
  EXPECT_THAT(Block(scheduler, std::move(consumer)), ::testing::ElementsAre(0, 1, 2, 3, 4));
}

TEST(ChannelTest, ReceiverSeesCloseOnlyWhenEverySenderIsGone) {
  auto scheduler = TestScheduler::Create();
  auto [tx, rx] = MakeChannel<int>();
  Sender<int> second = tx;
  Task<int> count = Spawn(scheduler, [rx = std::move(rx)]() mutable -> Future<int> {
    int n = 0;
    while (co_await rx.Recv()) ++n;
    co_return n;
  });
  ASSERT_TRUE(tx.Send(1).ok());
  { auto gone = std::move(tx); }
  scheduler->RunUntilParked();
  EXPECT_FALSE(count.IsReady()) << "one sender is still alive";
  ASSERT_TRUE(second.Send(2).ok());
  { auto gone = std::move(second); }
  EXPECT_EQ(Block(scheduler, std::move(count)), 2);
}

TEST(ChannelTest, SendAfterReceiverDroppedFails) {
  auto [tx, rx] = MakeChannel<std::string>();
  { auto gone = std::move(rx); }
  EXPECT_TRUE(absl::IsFailedPrecondition(tx.Send("x")));
}

TEST(ChannelTest, SendFromAnotherThreadWakesTheReceiver) {
  auto scheduler = TestScheduler::Create({.allow_parking = true});
  auto [tx, rx] = MakeChannel<int>();
  std::thread producer([tx = std::move(tx)] {
    for (int i = 1; i <= 3; ++i) EXPECT_TRUE(tx.Send(i).ok());
  });
  int sum = Block(scheduler, [rx = std::move(rx)]() mutable -> Future<int> {
    int total = 0;
    while (std::optional<int> v = co_await rx.Recv()) total += *v;
    co_return total;
  });
  producer.join();
  EXPECT_EQ(sum, 6);
}

TEST(ChannelTest, AReceiverCancelledAfterTheHandOffGivesTheValueBack) {
  auto scheduler = TestScheduler::Create();
  auto [tx, rx] = MakeChannel<int>();
  std::optional<int> first, second;
  Task<void> a = Spawn(scheduler, [&]() -> Future<void> { first = co_await rx.Recv(); });
  scheduler->RunUntilParked();
  ASSERT_TRUE(tx.Send(5).ok());  // handed to `a`, which is now scheduled
  a = Task<void>();              // cancelled before it ran
  scheduler->RunUntilParked();
  EXPECT_FALSE(first.has_value());
  Task<void> b = Spawn(scheduler, [&]() -> Future<void> { second = co_await rx.Recv(); });
  scheduler->RunUntilParked();
  EXPECT_EQ(second, 5) << "the value handed to the cancelled receiver was lost";
}

TEST(OneshotTest, AReceiverCancelledWhileWaitingLeavesTheSenderAGoodSend) {
  auto scheduler = TestScheduler::Create();
  auto [tx, rx] = MakeOneshot<int>();
  Task<void> waiter = Spawn(scheduler, [&]() -> Future<void> { (void)co_await rx; });
  scheduler->RunUntilParked();
  waiter = Task<void>();  // unlinks its waiter node; the receiver itself lives on
  EXPECT_TRUE(std::move(tx).Send(7).ok());
  EXPECT_EQ(Block(scheduler, [&]() -> Future<int> { co_return *co_await rx; }), 7);
}

TEST(ChannelDeathTest, ReceivingFromAMovedFromReceiverNamesIt) {
  auto [tx, rx] = MakeChannel<int>();
  Receiver<int> moved = std::move(rx);
  // NOLINTNEXTLINE(bugprone-use-after-move): the misuse under test
  EXPECT_DEATH((void)rx.TryRecv(), "use of a moved-from Receiver");
}

TEST(YieldTest, YieldLetsOtherTasksRun) {
  auto scheduler = TestScheduler::Create({.seed = 5});
  std::vector<std::string> log;
  auto worker = [&log](std::string name) -> Future<void> {
    for (int i = 0; i < 3; ++i) {
      log.push_back(name);
      co_await Yield();
    }
  };
  Task<void> a = Spawn(scheduler, worker("a"));
  Task<void> b = Spawn(scheduler, worker("b"));
  scheduler->RunUntilParked();
  EXPECT_EQ(log.size(), 6u);
  EXPECT_TRUE(a.IsReady() && b.IsReady());
}

}  // namespace
}  // namespace scheduler
