// FrameSentinel: a value to capture in a task's frame, counting the frame's destruction.
//
// Dispatcher tests use it to check that shutdown frees every pending frame, wherever the
// dispatcher kept it: capture `sentinel = FrameSentinel(counter)` in the task's lambda and
// compare the counter with the number of frames. Moved-from sentinels do not count.
#ifndef PLATFORMS_TESTS_FRAME_SENTINEL_H_
#define PLATFORMS_TESTS_FRAME_SENTINEL_H_

#include <atomic>
#include <memory>
#include <utility>

namespace scheduler {

class FrameSentinel {
 public:
  explicit FrameSentinel(std::shared_ptr<std::atomic<int>> counter)
      : destroyed_(std::move(counter)) {}
  FrameSentinel(FrameSentinel&&) = default;
  ~FrameSentinel() {
    if (destroyed_ != nullptr) destroyed_->fetch_add(1);
  }

 private:
  std::shared_ptr<std::atomic<int>> destroyed_;
};

}  // namespace scheduler

#endif  // PLATFORMS_TESTS_FRAME_SENTINEL_H_
