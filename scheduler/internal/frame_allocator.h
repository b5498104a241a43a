// Internal: a per-thread recycling allocator for coroutine frames and task
// cores (which share one block per spawned coroutine: task_block.h).
//
// Every spawn allocates a coroutine frame with its task core and every
// finished task frees it, usually on another thread than the one that allocated. A
// general-purpose malloc handles that with locks or, for glibc, a per-thread
// cache of only 7 blocks per size, which a burst of thousands of spawns
// overflows at once. This allocator keeps, per thread and per 16-byte size
// class, a bounded free list of blocks: allocation pops from the calling
// thread's list, deallocation pushes onto the calling thread's list (whoever
// frees a block adopts it). No atomics and no locks on that path: each list
// is touched by its own thread only. A full list passes a batch of blocks to
// a shared depot and an empty one takes a batch from it (one lock per batch;
// see THE DEPOT in the .cc), so a thread that only spawns and one that only
// finishes tasks still recycle each other's blocks. Only a miss everywhere,
// or a full depot, reaches `::operator new`/`delete`.
//
// Bounds: at most 256 blocks per class per thread and 64 batches of 128 per
// class in the depot are kept idle; a thread's lists are released when the
// thread exits. Blocks larger than 1016 bytes go straight to
// `::operator new`. Classes are 16 bytes apart and sized to fill glibc's
// chunks exactly (8, 24, 40, ... bytes; SIZE CLASSES in the .cc).
//
// Alignment: blocks are aligned to __STDCPP_DEFAULT_NEW_ALIGNMENT__, as the
// coroutine frame allocation requires (`::operator new` aligns every block
// so, whatever its size).
//
// Thread-safety: both functions may be called from any thread, including
// during thread exit (after the thread's lists are gone they fall back to
// `::operator new`/`delete`).
#ifndef SCHEDULER_INTERNAL_FRAME_ALLOCATOR_H_
#define SCHEDULER_INTERNAL_FRAME_ALLOCATOR_H_

#include <cstddef>

namespace scheduler::internal {

// Returns a block of at least `size` bytes.
void* AllocateFrame(std::size_t size);
// Frees a block from AllocateFrame; `size` must be the size it was asked for.
void FreeFrame(void* block, std::size_t size) noexcept;

// Whether frames come from the recycling lists (the default) or straight from
// `::operator new` (for A/B measurements). Process-wide; set it before any
// task runs.
void SetFrameRecycling(bool enabled);

}  // namespace scheduler::internal

#endif  // SCHEDULER_INTERNAL_FRAME_ALLOCATOR_H_
