// Internal: the one memory block of a spawned task, holding its core and its
// coroutine frame together (as async-task and tokio keep a task's header and
// its future in one allocation).
//
// LAYOUT. Every `Future<T>` frame is allocated with room for a task core in
// front of it (`FuturePromise<T>::operator new`), because a coroutine's frame
// exists before anyone knows whether it will be spawned or awaited inline:
//
//   [ ... | TaskBlockPrefix | TaskCore<T> | padding ][ coroutine frame ]
//   ^ block                 ^ kCoreOffset            ^ kFrameOffset
//
// Spawning constructs the core in its slot (one allocation per spawned
// coroutine). A frame that is awaited inline, or dropped unspawned, never has
// a core: its slot stays raw bytes and costs memory, not instructions. Cores
// without a frame (timers, `Task<T>::Ready`) get a block of their own, without
// the frame part.
//
// WHO FREES THE BLOCK. The prefix says whether a core lives in the block:
//   * no core: destroying the frame (`operator delete` of the promise) frees
//     the block, as for any coroutine;
//   * a core: destroying the frame runs the destructors of the coroutine's
//     parameters, locals and promise but leaves the memory alone; the core
//     frees the whole block when its last reference goes (`TaskCoreBase`'s
//     `operator delete`). So the result, which the core keeps, outlives the
//     frame until the Task has read it, and the frame's destructors still run
//     as soon as the task completes or is cancelled (see task_core.h).
// `has_core` is written by the spawner before the core is published and read
// by whoever destroys the frame, which owns the task at that moment (so the
// task protocol's acquire/release transitions order the two).
//
// Requirement on the compiler: `coroutine_handle::address()` is the pointer
// that the promise's `operator new` returned (true of GCC, Clang and MSVC,
// which put the resume/destroy pointers at the start of the allocation).
// Spawning checks it in builds without NDEBUG (`kMagic`).
#ifndef SCHEDULER_INTERNAL_TASK_BLOCK_H_
#define SCHEDULER_INTERNAL_TASK_BLOCK_H_

#include <cstddef>
#include <cstdint>
#include <new>

#include "scheduler/internal/frame_allocator.h"

namespace scheduler::internal {

// Sits right before the core's slot, whatever the core's alignment, so that
// code knowing only a core's address finds it.
struct TaskBlockPrefix {
  static constexpr uint8_t kMagic = 0xC5;
  uint32_t block_size;   // bytes asked of AllocateFrame
  uint16_t core_offset;  // from the block's start to the core's slot
  uint8_t magic;
  bool has_core;  // a core was constructed in the slot (see WHO FREES THE BLOCK)
};

constexpr std::size_t RoundUpTo(std::size_t n, std::size_t alignment) {
  return (n + alignment - 1) / alignment * alignment;
}

// The block of a task whose core is `Core`.
template <typename Core>
struct TaskBlock {
  static_assert(alignof(Core) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__,
                "over-aligned task results are not supported");
  static constexpr std::size_t kCoreOffset =
      RoundUpTo(sizeof(TaskBlockPrefix), alignof(Core) > 8 ? alignof(Core) : 8);
  static constexpr std::size_t kFrameOffset =
      RoundUpTo(kCoreOffset + sizeof(Core), __STDCPP_DEFAULT_NEW_ALIGNMENT__);

  static TaskBlockPrefix* PrefixOfBlock(void* block) {
    return reinterpret_cast<TaskBlockPrefix*>(static_cast<char*>(block) + kCoreOffset -
                                              sizeof(TaskBlockPrefix));
  }
  static void* BlockOfFrame(void* frame) { return static_cast<char*>(frame) - kFrameOffset; }
  static void* CoreSlotOfBlock(void* block) { return static_cast<char*>(block) + kCoreOffset; }
  // The frame that follows the core at `core` (only for cores made by
  // `AllocateFrame` below, i.e. spawned coroutines).
  static void* FrameOfCore(const void* core) {
    return const_cast<char*>(static_cast<const char*>(core)) - kCoreOffset + kFrameOffset;
  }

  static void* NewBlock(std::size_t size) {
    void* block = internal::AllocateFrame(size);
    ::new (PrefixOfBlock(block))
        TaskBlockPrefix{static_cast<uint32_t>(size), static_cast<uint16_t>(kCoreOffset),
                        TaskBlockPrefix::kMagic, false};
    return block;
  }

  // For the promise's operator new/delete: a frame of `frame_size` bytes
  // behind a core slot.
  static void* AllocateFrame(std::size_t frame_size) {
    return static_cast<char*>(NewBlock(kFrameOffset + frame_size)) + kFrameOffset;
  }
  static void FreeFrame(void* frame) noexcept {
    void* block = BlockOfFrame(frame);
    const TaskBlockPrefix* prefix = PrefixOfBlock(block);
    if (!prefix->has_core) internal::FreeFrame(block, prefix->block_size);
  }

  // The core slot of a block without a frame.
  static void* AllocateCoreAlone() { return CoreSlotOfBlock(NewBlock(kCoreOffset + sizeof(Core))); }
};

// Frees the block whose core slot is at `core` (the core's destructor has
// run).
inline void FreeTaskBlock(void* core) noexcept {
  const TaskBlockPrefix* prefix =
      reinterpret_cast<const TaskBlockPrefix*>(static_cast<char*>(core) - sizeof(TaskBlockPrefix));
  internal::FreeFrame(static_cast<char*>(core) - prefix->core_offset, prefix->block_size);
}

}  // namespace scheduler::internal

#endif  // SCHEDULER_INTERNAL_TASK_BLOCK_H_
