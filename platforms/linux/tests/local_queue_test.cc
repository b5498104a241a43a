// The work-stealing local queue: FIFO for its owner, and every task delivered
// exactly once while thieves steal concurrently.
#include "platforms/linux/internal/local_queue.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace scheduler::dispatcher_internal {
namespace {

using internal::TaskCoreBase;

// The queue never dereferences what it holds (except for overflow, not used
// here), so small integers stand in for tasks.
TaskCoreBase* Fake(uintptr_t i) { return reinterpret_cast<TaskCoreBase*>(i * 8 + 8); }
uintptr_t Id(TaskCoreBase* t) { return (reinterpret_cast<uintptr_t>(t) - 8) / 8; }

// Queues live on the heap: LocalQueue is 64-byte aligned, and ASan's fake
// stack (detect_stack_use_after_return, in the asan_ubsan build) does not
// honour that alignment for locals, which UBSan then reports.
std::unique_ptr<LocalQueue> NewQueue() { return std::make_unique<LocalQueue>(); }

TEST(LocalQueueTest, OwnerPopsInFifoOrderAndRefusesWhenFull) {
  std::unique_ptr<LocalQueue> queue_box = NewQueue();
  LocalQueue& queue = *queue_box;
  for (uintptr_t i = 0; i < LocalQueue::kCapacity; ++i) ASSERT_TRUE(queue.TryPush(Fake(i)));
  EXPECT_FALSE(queue.TryPush(Fake(999)));
  EXPECT_EQ(queue.SizeHint(), LocalQueue::kCapacity);
  for (uintptr_t i = 0; i < LocalQueue::kCapacity; ++i) EXPECT_EQ(Id(queue.Pop()), i);
  EXPECT_EQ(queue.Pop(), nullptr);
}

TEST(LocalQueueTest, StealTakesTheOlderHalf) {
  std::unique_ptr<LocalQueue> victim_box = NewQueue();
  LocalQueue& victim = *victim_box;
  std::unique_ptr<LocalQueue> thief_box = NewQueue();
  LocalQueue& thief = *thief_box;
  for (uintptr_t i = 0; i < 10; ++i) ASSERT_TRUE(victim.TryPush(Fake(i)));
  TaskCoreBase* now = victim.StealInto(thief);
  ASSERT_NE(now, nullptr);
  EXPECT_EQ(Id(now), 4u) << "the newest of the stolen half runs at once";
  for (uintptr_t i = 0; i < 4; ++i) EXPECT_EQ(Id(thief.Pop()), i);
  for (uintptr_t i = 5; i < 10; ++i) EXPECT_EQ(Id(victim.Pop()), i);
}

TEST(LocalQueueTest, EveryTaskIsDeliveredOnceUnderConcurrentStealing) {
  constexpr uintptr_t kTasks = 200'000;
  std::unique_ptr<LocalQueue> owner_queue_box = NewQueue();
  LocalQueue& owner_queue = *owner_queue_box;
  std::vector<std::atomic<int>> seen(kTasks);
  std::atomic<bool> done{false};
  auto thief = [&] {
    std::unique_ptr<LocalQueue> mine_box = NewQueue();
    LocalQueue& mine = *mine_box;
    while (!done.load(std::memory_order_acquire)) {
      TaskCoreBase* t = owner_queue.StealInto(mine);
      if (t == nullptr) continue;
      seen[Id(t)].fetch_add(1);
      while (TaskCoreBase* more = mine.Pop()) seen[Id(more)].fetch_add(1);
    }
  };
  std::thread a(thief);
  std::thread b(thief);
  uintptr_t next = 0;
  while (next < kTasks) {
    if (owner_queue.TryPush(Fake(next))) {
      ++next;
    } else if (TaskCoreBase* t = owner_queue.Pop()) {
      seen[Id(t)].fetch_add(1);
    }
    if (next % 3 == 0) {
      if (TaskCoreBase* t = owner_queue.Pop()) seen[Id(t)].fetch_add(1);
    }
  }
  while (TaskCoreBase* t = owner_queue.Pop()) seen[Id(t)].fetch_add(1);
  // Thieves may still hold a claimed batch: wait until every task is seen.
  auto all_seen = [&] {
    for (auto& s : seen) {
      if (s.load() == 0) return false;
    }
    return true;
  };
  while (!all_seen()) std::this_thread::yield();
  done.store(true, std::memory_order_release);
  a.join();
  b.join();
  for (uintptr_t i = 0; i < kTasks; ++i) ASSERT_EQ(seen[i].load(), 1) << "task " << i;
}

}  // namespace
}  // namespace scheduler::dispatcher_internal
