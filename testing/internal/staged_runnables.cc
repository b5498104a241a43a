#include "testing/internal/staged_runnables.h"

namespace scheduler::internal {

StagedRunnables::Chunk* StagedRunnables::ChunkFor(size_t index) const {
  // Chunks only ever hang off the head, so a const walk yields the mutable
  // chunk the driving thread owns.
  Chunk* chunk = const_cast<Chunk*>(&head_);
  for (size_t i = index / kChunkSlots; i > 0; --i) chunk = chunk->next.get();
  return chunk;
}

void StagedRunnables::Grow() {
  // Linked before size_ is published past it, so readers find it.
  Chunk* last = ChunkFor(capacity_ - 1);
  last->next = std::make_unique<Chunk>();
  capacity_ += kChunkSlots;
}

void StagedRunnables::ForEach(absl::FunctionRef<void(const Runnable&)> fn) const {
  const size_t n = size();
  const Chunk* chunk = &head_;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && i % kChunkSlots == 0) chunk = chunk->next.get();
    fn(chunk->slots[i % kChunkSlots]);
  }
}

}  // namespace scheduler::internal
