// RealTimeContext: the SchedulerContext of real threads and the real clock.
//
// Every production dispatcher (Linux, Windows, macOS) and every hand-written
// scheduler over real threads uses it, so that parking, the clock and the
// main-thread test mean the same everywhere:
//   * `Now()` is `std::chrono::steady_clock::now()`;
//   * `Park` blocks the calling thread on a parker of its own (one per
//     thread, shared by every RealTimeContext), woken by `GetUnparker()`;
//   * the main thread is the thread that made the context;
//   * task ids come from the process-wide counter, escaped exceptions go to
//     the process-wide handler (unhandled_exception.h).
//
// Thread-safety: all methods are thread-safe.
#ifndef SCHEDULER_REAL_TIME_CONTEXT_H_
#define SCHEDULER_REAL_TIME_CONTEXT_H_

#include <optional>
#include <thread>

#include "scheduler/duration.h"
#include "scheduler/parker.h"
#include "scheduler/scheduler_context.h"

namespace scheduler {

class RealTimeContext final : public SchedulerContext {
 public:
  // The calling thread becomes the main thread.
  RealTimeContext() : RealTimeContext(std::this_thread::get_id()) {}
  // `main_thread` is the main thread; a default-constructed id means there is
  // none (`IsMainThread()` is always false), as for a plain thread pool.
  explicit RealTimeContext(std::thread::id main_thread) : main_thread_(main_thread) {}

  bool Park(std::optional<Duration> timeout) override;
  Unparker GetUnparker() override;
  bool IsMainThread() const override { return std::this_thread::get_id() == main_thread_; }
  bool HasMainThread() const override { return main_thread_ != std::thread::id(); }
  Instant Now() const override { return std::chrono::steady_clock::now(); }

  std::thread::id main_thread() const { return main_thread_; }

 private:
  const std::thread::id main_thread_;
};

}  // namespace scheduler

#endif  // SCHEDULER_REAL_TIME_CONTEXT_H_
