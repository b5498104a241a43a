#include "scheduler/internal/frame_allocator.h"

#include <mutex>
#include <new>

#include "scheduler/internal/thread_exit_safe.h"

namespace scheduler::internal {
namespace {

constexpr std::size_t kGranule = 16;
// SIZE CLASSES. glibc's malloc puts an 8-byte header in front of each block
// and rounds header + block up to 16 bytes. A class of exactly 16k bytes
// therefore costs 16k + 16 of heap, 8 of them padding; a class of 16k - 8
// bytes fills its 16k-byte chunk. So class c holds blocks of 16(c+1) - 8
// bytes: a request gets the smallest chunk glibc could give it, with or
// without recycling. (Other mallocs round to 16 or more themselves; for
// them the 8 bytes make no difference.)
constexpr std::size_t kMallocHeader = 8;
constexpr std::size_t kClasses = 64;  // blocks of 8, 24, ..., 1016 bytes
constexpr std::size_t kMaxBlock = kGranule * kClasses - kMallocHeader;
constexpr int kBlocksPerClass = 256;
// Blocks move between a thread and the shared depot in batches of this many.
constexpr int kBatch = kBlocksPerClass / 2;
// Batches the depot keeps per class before it frees them.
constexpr int kDepotBatches = 64;

// Under AddressSanitizer a recycled block would hide a use-after-free of a
// frame from it, so blocks go back to the (checked) heap there.
// mingw-w64 builds use the heap too: with recycling, the Windows tests hung
// under wine in the test after one whose pool threads had exited, and not
// without it. The suspected cause is mingw's emulated TLS, whose storage may
// be released before thread_local destructors (the thread cache's) run at
// thread exit; not yet confirmed, so recycling stays off there.
#if defined(__SANITIZE_ADDRESS__) || defined(__MINGW32__)
bool recycling_enabled = false;
#else
bool recycling_enabled = true;
#endif

struct FreeBlock {
  FreeBlock* next;
};

// THE DEPOT. A task is often allocated on one thread (the spawner) and freed
// on another (the worker that finished it): per-thread lists alone would leave
// the spawner always missing and the worker always full. So a full list hands
// half of itself (one batch, already a linked chain) to a shared per-class
// depot, and an empty list takes a whole batch back: one lock per kBatch
// blocks, as tcmalloc's transfer cache does.
struct Depot {
  std::mutex mu;
  FreeBlock* batches[kClasses][kDepotBatches] = {};
  int counts[kClasses] = {};
};

Depot& TheDepot() {
  static Depot* depot = new Depot();  // never destroyed: threads may exit late
  return *depot;
}

// Returns false if the depot is full (the caller frees the batch).
bool DepotPut(std::size_t size_class, FreeBlock* batch) {
  Depot& depot = TheDepot();
  std::lock_guard<std::mutex> lock(depot.mu);
  if (depot.counts[size_class] == kDepotBatches) return false;
  depot.batches[size_class][depot.counts[size_class]++] = batch;
  return true;
}

FreeBlock* DepotTake(std::size_t size_class) {
  Depot& depot = TheDepot();
  std::lock_guard<std::mutex> lock(depot.mu);
  if (depot.counts[size_class] == 0) return nullptr;
  return depot.batches[size_class][--depot.counts[size_class]];
}

void FreeChain(FreeBlock* block) {
  while (block != nullptr) {
    FreeBlock* next = block->next;
    ::operator delete(block);
    block = next;
  }
}
// One thread's free lists (frees during thread exit, after they are gone, go
// to `::operator delete`; see thread_exit_safe.h).
class ThreadCache {
 public:
  ThreadCache() = default;
  ~ThreadCache() {
    for (std::size_t c = 0; c < kClasses; ++c) FreeChain(heads_[c]);
  }

  void* Pop(std::size_t size_class) {
    FreeBlock* block = heads_[size_class];
    if (block == nullptr) {
      block = DepotTake(size_class);
      if (block == nullptr) return nullptr;
      counts_[size_class] = kBatch;
    }
    heads_[size_class] = block->next;
    --counts_[size_class];
    return block;
  }

  void Push(std::size_t size_class, void* p) {
    if (counts_[size_class] >= kBlocksPerClass) {
      // Hand the newest kBatch blocks to the depot (or free them).
      FreeBlock* batch = heads_[size_class];
      FreeBlock* last = batch;
      for (int i = 1; i < kBatch; ++i) last = last->next;
      heads_[size_class] = last->next;
      last->next = nullptr;
      counts_[size_class] -= kBatch;
      if (!DepotPut(size_class, batch)) FreeChain(batch);
    }
    auto* block = static_cast<FreeBlock*>(p);
    block->next = heads_[size_class];
    heads_[size_class] = block;
    ++counts_[size_class];
  }

 private:
  FreeBlock* heads_[kClasses] = {};
  int counts_[kClasses] = {};
};

ThreadCache* Cache() { return ThreadExitSafe<ThreadCache>::Get(); }

std::size_t ClassOf(std::size_t size) { return (size + kMallocHeader - 1) / kGranule; }
std::size_t ClassSize(std::size_t size_class) {
  return (size_class + 1) * kGranule - kMallocHeader;
}

}  // namespace

void SetFrameRecycling(bool enabled) { recycling_enabled = enabled; }

void* AllocateFrame(std::size_t size) {
  if (size == 0 || size > kMaxBlock) return ::operator new(size);
  const std::size_t size_class = ClassOf(size);
  if (recycling_enabled) {
    if (ThreadCache* cache = Cache()) {
      if (void* block = cache->Pop(size_class)) return block;
    }
  }
  // Always the class's full size, so that any thread can recycle the block
  // for any request of the same class (even if recycling is switched on
  // while blocks are out).
  return ::operator new(ClassSize(size_class));
}

void FreeFrame(void* block, std::size_t size) noexcept {
  if (block == nullptr) return;
  if (size == 0 || size > kMaxBlock || !recycling_enabled) {
    ::operator delete(block);
    return;
  }
  if (ThreadCache* cache = Cache()) {
    cache->Push(ClassOf(size), block);
    return;
  }
  ::operator delete(block);
}

}  // namespace scheduler::internal
