#include "platforms/linux/internal/injector.h"

namespace scheduler::dispatcher_internal {

using internal::TaskCoreBase;

bool Injector::PushChain(TaskCoreBase* first, TaskCoreBase* last, uint32_t count) {
  last->queue_next() = nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return false;
  if (tail_ == nullptr) {
    head_ = first;
  } else {
    tail_->queue_next() = first;
  }
  tail_ = last;
  size_.store(size_.load(std::memory_order_relaxed) + count, std::memory_order_release);
  return true;
}

TaskCoreBase* Injector::PopBatch(uint32_t max, uint32_t* count) {
  std::lock_guard<std::mutex> lock(mu_);
  if (head_ == nullptr || max == 0) return nullptr;
  TaskCoreBase* first = head_;
  TaskCoreBase* last = first;
  uint32_t n = 1;
  while (n < max && last->queue_next() != nullptr) {
    last = last->queue_next();
    ++n;
  }
  head_ = last->queue_next();
  if (head_ == nullptr) tail_ = nullptr;
  last->queue_next() = nullptr;
  size_.store(size_.load(std::memory_order_relaxed) - n, std::memory_order_release);
  *count = n;
  return first;
}

TaskCoreBase* Injector::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  TaskCoreBase* all = head_;
  head_ = tail_ = nullptr;
  size_.store(0, std::memory_order_release);
  return all;
}

}  // namespace scheduler::dispatcher_internal
