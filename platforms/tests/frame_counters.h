// Values to capture in a task's frame so that a dispatcher test can count frames.
//
// Both exist because shutdown must free every pending frame, wherever the
// dispatcher kept it (queues, timers, a main loop that never ran):
//   * LiveToken counts live copies: capture `token = LiveToken(live)` and the
//     counter drops back to zero once every frame (and every lambda keeping a
//     copy) is gone.
//   * FrameSentinel counts destructions: capture `sentinel = FrameSentinel(n)`
//     and compare `n` with the number of frames; moved-from sentinels do not
//     count.
#ifndef PLATFORMS_TESTS_FRAME_COUNTERS_H_
#define PLATFORMS_TESTS_FRAME_COUNTERS_H_

#include <atomic>
#include <memory>
#include <utility>

namespace scheduler {

class LiveToken {
 public:
  explicit LiveToken(std::shared_ptr<std::atomic<int>> count) : count_(std::move(count)) {
    count_->fetch_add(1);
  }
  LiveToken(const LiveToken& other) : count_(other.count_) { count_->fetch_add(1); }
  LiveToken& operator=(const LiveToken&) = delete;
  ~LiveToken() { count_->fetch_sub(1); }

 private:
  std::shared_ptr<std::atomic<int>> count_;
};

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

#endif  // PLATFORMS_TESTS_FRAME_COUNTERS_H_
