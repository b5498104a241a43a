// ForegroundExecutor: GPUI's handle for work on the main (UI) thread.
//
// Wraps `scheduler::ForegroundExecutor`: every task spawned here runs on the
// main thread, in spawn order with the other tasks of this executor (one
// session), so its futures may touch UI state without locks. It is bound to
// the thread that created it: each method (other than `IsMainThread`,
// `NumCpus` and the accessors) checks the calling thread and, on any other,
// prints the call site and the creation site and aborts.
//
// It offers the same API as BackgroundExecutor, with foreground spawning;
// `background()` returns the BackgroundExecutor over the same scheduler. The
// test controls are forwarded to it (and checked for the thread).
//
//   gpui::ForegroundExecutor foreground(dispatcher);    // on the main thread
//   foreground.Spawn([&]() -> Future<void> {
//     co_await foreground.Timer(std::chrono::milliseconds(50));
//     view.Refresh();
//   }).Detach();
//
// Copies share the session (so their tasks keep one FIFO order) and the
// thread binding.
#ifndef GPUI_INTEGRATION_FOREGROUND_EXECUTOR_H_
#define GPUI_INTEGRATION_FOREGROUND_EXECUTOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <thread>
#include <utility>

#include "executor/executor.h"
#include "gpui_integration/background_executor.h"
#include "gpui_integration/detach_and_log_err.h"
#include "gpui_integration/test_rng.h"
#include "scheduler/block.h"
#include "scheduler/duration.h"
#include "scheduler/future.h"
#include "scheduler/ids.h"
#include "scheduler/scheduler.h"
#include "scheduler/task.h"

namespace gpui {

class ForegroundExecutor {
 public:
  // Binds the executor to the calling thread, which must be the thread that
  // runs the scheduler's foreground work. `scheduler` must not be null.
  explicit ForegroundExecutor(std::shared_ptr<scheduler::Scheduler> scheduler,
                              std::source_location location = std::source_location::current());

  // --- Spawning ---

  // Runs `future` on the main thread, after this executor's earlier tasks.
  template <scheduler::Spawnable F>
  scheduler::Task<scheduler::SpawnResult<F>> Spawn(
      F&& future, std::source_location location = std::source_location::current()) const {
    CheckThread("Spawn", location);
    return foreground_.Spawn(std::forward<F>(future), location);
  }

  scheduler::Task<void> Timer(
      scheduler::Duration delay,
      std::source_location location = std::source_location::current()) const {
    CheckThread("Timer", location);
    return foreground_.Timer(delay, location);
  }

  // Lets `task` finish on its own and logs a non-OK result on the main thread
  // (see detach_and_log_err.h).
  template <internal::StatusResult T>
  void DetachAndLogErr(scheduler::Task<T> task,
                       std::source_location location = std::source_location::current()) const {
    Spawn(internal::AwaitAndLogErr(std::move(task), location), location).Detach();
  }

  // --- Blocking: on behalf of this session, whose other tasks wait. ---

  template <scheduler::Spawnable F>
  scheduler::SpawnResult<F> Block(
      F&& future, std::source_location location = std::source_location::current()) const {
    CheckThread("Block", location);
    return foreground_.Block(std::forward<F>(future), location);
  }

  template <scheduler::Spawnable F>
  scheduler::BlockResult<scheduler::SpawnResult<F>> BlockWithTimeout(
      scheduler::Duration timeout, F&& future,
      std::source_location location = std::source_location::current()) const {
    CheckThread("BlockWithTimeout", location);
    return foreground_.BlockWithTimeout(timeout, std::forward<F>(future), location);
  }

  // --- Environment ---

  scheduler::Instant Now(std::source_location location = std::source_location::current()) const {
    CheckThread("Now", location);
    return background_.Now();
  }
  bool IsMainThread() const { return background_.IsMainThread(); }
  // As BackgroundExecutor::NumCpus; any thread may ask.
  int NumCpus() const { return background_.NumCpus(); }

  // --- Test controls (see BackgroundExecutor), thread-checked ---

  bool IsTest() const { return background_.IsTest(); }
  void Deprioritize(scheduler::TaskLabel label,
                    std::source_location location = std::source_location::current()) const;
  std::optional<bool> Tick(std::source_location location = std::source_location::current()) const;
  void RunUntilParked(std::source_location location = std::source_location::current()) const;
  void AdvanceClock(scheduler::Duration d,
                    std::source_location location = std::source_location::current()) const;
  scheduler::Future<void> SimulateRandomDelay(
      std::source_location location = std::source_location::current()) const;
  std::optional<TestRng> Rng(std::source_location location = std::source_location::current()) const;
  void AllowParking(std::source_location location = std::source_location::current()) const;
  void ForbidParking(std::source_location location = std::source_location::current()) const;
  void SetWaitingHint(std::string hint,
                      std::source_location location = std::source_location::current()) const;
  void StartWaiting(std::source_location location = std::source_location::current()) const;
  void FinishWaiting(std::source_location location = std::source_location::current()) const;
  void SetBlockOnTicks(int64_t min, int64_t max,
                       std::source_location location = std::source_location::current()) const;

  // The background executor over the same scheduler (usable from any thread).
  const BackgroundExecutor& background() const { return background_; }
  scheduler::SessionId session() const { return foreground_.session(); }
  const scheduler::ForegroundExecutor& executor() const { return foreground_; }

 private:
  void CheckThread(const char* method, std::source_location call_site) const;

  scheduler::ForegroundExecutor foreground_;
  BackgroundExecutor background_;
  std::thread::id thread_;
  std::source_location created_at_;
};

}  // namespace gpui

#endif  // GPUI_INTEGRATION_FOREGROUND_EXECUTOR_H_
