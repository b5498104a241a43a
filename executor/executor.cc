#include "executor/executor.h"

#include "absl/strings/str_cat.h"
#include "scheduler/yield.h"

namespace scheduler {

Executor::Executor(std::shared_ptr<Scheduler> scheduler) : scheduler_(std::move(scheduler)) {
  if (scheduler_ == nullptr) internal::FatalError("Executor created with a null scheduler");
}

void Executor::Deprioritize(TaskLabel label) const {
  if (TestControls* controls = test_controls()) controls->Deprioritize(label);
}

std::optional<bool> Executor::Tick() const {
  if (TestControls* controls = test_controls()) return controls->Tick();
  return std::nullopt;
}

void Executor::RunUntilParked() const {
  if (TestControls* controls = test_controls()) controls->RunUntilParked();
}

void Executor::AdvanceClock(Duration d) const {
  if (TestControls* controls = test_controls()) controls->AdvanceClock(d);
}

namespace {
Future<void> YieldTimes(int n) {
  for (; n > 0; --n) co_await Yield();
}
}  // namespace

Future<void> Executor::SimulateRandomDelay() const {
  // Not a coroutine itself: the count is drawn now, so the returned future
  // does not refer to this Executor, which may be gone when it runs.
  TestControls* controls = test_controls();
  return YieldTimes(controls == nullptr ? 0 : controls->RandomDelayYields());
}

ForegroundExecutor::ForegroundExecutor(std::shared_ptr<Scheduler> scheduler,
                                       std::source_location location)
    : executor_(std::move(scheduler)),
      session_(SessionId::New()),
      thread_(std::this_thread::get_id()),
      created_at_(location) {
  // As the seeds check in `new`: an executor bound to a thread that never
  // runs foreground work would run nothing (or run it on the wrong thread).
  const SchedulerContext& context = executor_.scheduler()->context();
  if (context.HasMainThread() && !context.IsMainThread()) {
    internal::FatalError(
        absl::StrCat("ForegroundExecutor created at ", FormatLocation(location),
                     " on a thread that is not its scheduler's main thread (that is ",
                     context.DescribeMainThread(),
                     "). Create it on the main thread, or use an Executor for background work."));
  }
}

void ForegroundExecutor::CheckThread(const char* method, std::source_location call_site) const {
  if (std::this_thread::get_id() == thread_) return;
  internal::FatalError(absl::StrCat(
      "ForegroundExecutor::", method, " called at ", FormatLocation(call_site),
      " from a thread other than the one that created the executor at ",
      FormatLocation(created_at_), ". Foreground work must stay on its thread; use the Executor ",
      "(background()) or move the call onto the main thread."));
}

}  // namespace scheduler
