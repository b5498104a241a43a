// What a pending task costs in memory (issue 11): the sizes its block is made
// of, the optional ids that keep TaskMetadata small, the frame allocator's
// size classes, and the oneshot's shared state, whose two owners free it.
#include <malloc.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <source_location>
#include <sstream>
#include <utility>

#include "gtest/gtest.h"
#include "scheduler/future.h"
#include "scheduler/ids.h"
#include "scheduler/internal/frame_allocator.h"
#include "scheduler/internal/typed_task_core.h"
#include "scheduler/internal/waiter_list.h"
#include "scheduler/oneshot.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"
#include "scheduler/task_metadata.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

// ---------------------------------------------------------------- sizes
// Budgets, not exact sizes: a field added on purpose may use the slack (the
// live-task registry of issue 13 is planned to take up to 16 bytes of the
// core); shrinking below them is always fine. LP64 only. In terms of
// std::source_location's size, which is 8 bytes with GCC's libstdc++ and
// more with the shim of the clang builds (toolchains/clang).
#if defined(__LP64__)
constexpr std::size_t kLocation = sizeof(std::source_location);
static_assert(sizeof(OptionalId<TaskId>) == sizeof(TaskId));
static_assert(sizeof(OptionalId<TaskLabel>) == sizeof(TaskLabel));
// id, label, session, parent: 8 bytes each, not 8 + 16 * 3.
static_assert(sizeof(TaskMetadata) == 4 * 8 + (kLocation + 1 + 7) / 8 * 8);
static_assert(sizeof(internal::TaskCore<void>) <= 136 + 16 + (kLocation - 8),
              "TaskCore<void> is 136 bytes (GCC); see the budget above");
// The oneshot awaiter is a WaitAwaiter and nothing else: its primitive
// pointer and node (with the `enqueued` flag in the node's padding).
static_assert(sizeof(OneshotReceiver<int>::Awaiter) ==
              sizeof(internal::WaitAwaiter<internal::OneshotState<int>>));
static_assert(sizeof(internal::WaitAwaiter<internal::OneshotState<int>>) ==
              sizeof(void*) + sizeof(internal::WaiterNode));
// Location, mutex, optional<int>, flags and share count, waiter list: no
// control block.
static_assert(sizeof(internal::OneshotState<int>) == kLocation + 40);
#endif

// ---------------------------------------------------------------- OptionalId
TEST(OptionalIdTest, EmptyByDefaultAndFromNullopt) {
  OptionalId<TaskId> none;
  EXPECT_FALSE(none.has_value());
  EXPECT_FALSE(static_cast<bool>(none));
  EXPECT_EQ(none, std::nullopt);
  EXPECT_EQ(OptionalId<SessionId>(std::nullopt), std::nullopt);
  EXPECT_THROW((void)none.value(), std::bad_optional_access);
  EXPECT_EQ(none.value_or(TaskId(5)), TaskId(5));
  EXPECT_EQ(std::optional<TaskId>(none), std::nullopt);
}

TEST(OptionalIdTest, HoldsAnIdLikeStdOptional) {
  OptionalId<TaskId> id = TaskId(7);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, TaskId(7));
  EXPECT_EQ(id->value(), 7u);
  EXPECT_EQ(id.value(), TaskId(7));
  EXPECT_EQ(id, TaskId(7));
  EXPECT_NE(id, TaskId(8));
  EXPECT_NE(id, std::nullopt);
  const std::optional<TaskId> as_std = id;
  EXPECT_EQ(as_std, std::optional<TaskId>(TaskId(7)));
  EXPECT_EQ(id, as_std);
  EXPECT_NE(id, std::optional<TaskId>());
  id.reset();
  EXPECT_FALSE(id.has_value());
  EXPECT_EQ(id, std::optional<TaskId>());
}

TEST(OptionalIdTest, LabelsWhichCannotBeMadeFromANumber) {
  const TaskLabel label = TaskLabel::New();
  OptionalId<TaskLabel> some = label;
  OptionalId<TaskLabel> none;
  EXPECT_EQ(some, label);
  EXPECT_NE(none, label);
  EXPECT_NE(some, none);
  EXPECT_EQ(OptionalId<TaskLabel>(std::optional<TaskLabel>(label)), some);
  std::ostringstream out;
  out << some << " " << none;
  EXPECT_EQ(out.str(), "label#" + std::to_string(label.value()) + " none");
}

// ---------------------------------------------------------------- metadata
Future<void> Nothing() { co_return; }

Future<TaskMetadata> ChildMetadata(std::shared_ptr<Scheduler> scheduler) {
  Task<void> child = Spawn(scheduler, Nothing());
  TaskMetadata metadata = child.metadata();
  co_await std::move(child);
  co_return metadata;
}

TEST(TaskMetadataTest, SpawnFillsOnlyTheIdsThatApply) {
  std::shared_ptr<TestScheduler> scheduler = TestScheduler::Create({.seed = 3});
  Task<void> plain = Spawn(scheduler, Nothing());
  EXPECT_NE(plain.metadata().id.value(), 0u);
  EXPECT_FALSE(plain.metadata().label.has_value());
  EXPECT_FALSE(plain.metadata().session.has_value());
  EXPECT_FALSE(plain.metadata().parent.has_value());
  EXPECT_FALSE(plain.metadata().is_foreground());

  const TaskLabel label = TaskLabel::New();
  Task<void> labeled = SpawnLabeled(scheduler, label, Nothing());
  EXPECT_EQ(labeled.metadata().label, label);
  EXPECT_FALSE(labeled.metadata().parent.has_value());

  Task<TaskMetadata> parent = Spawn(scheduler, ChildMetadata(scheduler));
  scheduler->RunUntilParked();
  ASSERT_TRUE(parent.IsReady());
  const TaskId parent_id = parent.metadata().id;
  const TaskMetadata child = parent.TakeResult("test");
  EXPECT_EQ(child.parent, parent_id);
  EXPECT_FALSE(child.label.has_value());
}

// ---------------------------------------------------------------- frame
// allocator
TEST(FrameAllocatorTest, BlocksAreAlignedAndWritableForEverySize) {
  for (std::size_t size = 1; size <= 1100; ++size) {
    void* block = internal::AllocateFrame(size);
    ASSERT_EQ(reinterpret_cast<uintptr_t>(block) % __STDCPP_DEFAULT_NEW_ALIGNMENT__, 0u) << size;
    std::memset(block, 0xA5, size);  // ASan: the block holds `size` bytes
    internal::FreeFrame(block, size);
  }
}

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
// SIZE CLASSES (frame_allocator.cc): a block of a class fills its malloc
// chunk, so a request pays no more than malloc itself would charge for it.
TEST(FrameAllocatorTest, BlocksFillTheirMallocChunk) {
  internal::SetFrameRecycling(false);  // fresh blocks from malloc
  for (std::size_t size : {24u, 100u, 296u, 312u, 313u, 1016u}) {
    void* block = internal::AllocateFrame(size);
    const std::size_t usable = malloc_usable_size(block);
    EXPECT_GE(usable, size);
    EXPECT_LT(usable, size + 16) << "a class wastes a granule for " << size;
    EXPECT_EQ((usable + 8) % 16, 0u) << size;
    internal::FreeFrame(block, size);
  }
  internal::SetFrameRecycling(true);
}
#endif

// ---------------------------------------------------------------- oneshot
// ownership Under ASan/LSan these fail on a leak or a use after free of the
// state.
TEST(OneshotOwnershipTest, EitherSideMayGoFirst) {
  {
    auto [tx, rx] = MakeOneshot<int>();
    { OneshotSender<int> gone = std::move(tx); }
    EXPECT_FALSE(std::move(tx).Send(1).ok()) << "a moved-from sender has no state";
  }
  {
    auto [tx, rx] = MakeOneshot<int>();
    { OneshotReceiver<int> gone = std::move(rx); }
    EXPECT_FALSE(std::move(tx).Send(1).ok()) << "the receiver is gone";
  }
}

TEST(OneshotOwnershipTest, MoveAssignmentReleasesTheOldState) {
  auto [tx1, rx1] = MakeOneshot<int>();
  auto [tx2, rx2] = MakeOneshot<int>();
  tx1 = std::move(tx2);  // closes the first oneshot: rx1 sees the error
  rx1 = std::move(rx2);  // swaps: the old receiver goes with rx2
  EXPECT_TRUE(std::move(tx1).Send(5).ok());
  std::shared_ptr<TestScheduler> scheduler = TestScheduler::Create({.seed = 5});
  Task<int> got = Spawn(scheduler, [](OneshotReceiver<int> rx) -> Future<int> {
    absl::StatusOr<int> value = co_await std::move(rx);
    co_return value.ok() ? *value : -1;
  }(std::move(rx1)));
  scheduler->RunUntilParked();
  ASSERT_TRUE(got.IsReady());
  EXPECT_EQ(got.TakeResult("test"), 5);
}

}  // namespace
}  // namespace scheduler
