#include "gpui_integration/foreground_executor.h"

#include "absl/strings/str_cat.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/task_metadata.h"

namespace gpui {

ForegroundExecutor::ForegroundExecutor(std::shared_ptr<scheduler::Scheduler> scheduler,
                                       std::source_location location)
    : foreground_(scheduler, location),
      background_(std::move(scheduler)),
      thread_(std::this_thread::get_id()),
      created_at_(location) {}

void ForegroundExecutor::CheckThread(const char* method, std::source_location call_site) const {
  if (std::this_thread::get_id() == thread_) return;
  scheduler::internal::FatalError(absl::StrCat(
      "gpui::ForegroundExecutor::", method, " called at ", scheduler::FormatLocation(call_site),
      " from a thread other than the one that created the executor at ",
      scheduler::FormatLocation(created_at_),
      ". Foreground work must stay on the main thread; use background() from other threads."));
}

void ForegroundExecutor::Deprioritize(scheduler::TaskLabel label,
                                      std::source_location location) const {
  CheckThread("Deprioritize", location);
  background_.Deprioritize(label);
}

std::optional<bool> ForegroundExecutor::Tick(std::source_location location) const {
  CheckThread("Tick", location);
  return background_.Tick();
}

void ForegroundExecutor::RunUntilParked(std::source_location location) const {
  CheckThread("RunUntilParked", location);
  background_.RunUntilParked();
}

void ForegroundExecutor::AdvanceClock(scheduler::Duration d, std::source_location location) const {
  CheckThread("AdvanceClock", location);
  background_.AdvanceClock(d);
}

scheduler::Future<void> ForegroundExecutor::SimulateRandomDelay(
    std::source_location location) const {
  CheckThread("SimulateRandomDelay", location);
  return background_.SimulateRandomDelay();
}

std::optional<TestRng> ForegroundExecutor::Rng(std::source_location location) const {
  CheckThread("Rng", location);
  return background_.Rng();
}

void ForegroundExecutor::AllowParking(std::source_location location) const {
  CheckThread("AllowParking", location);
  background_.AllowParking();
}

void ForegroundExecutor::ForbidParking(std::source_location location) const {
  CheckThread("ForbidParking", location);
  background_.ForbidParking();
}

void ForegroundExecutor::SetWaitingHint(std::string hint, std::source_location location) const {
  CheckThread("SetWaitingHint", location);
  background_.SetWaitingHint(std::move(hint));
}

void ForegroundExecutor::StartWaiting(std::source_location location) const {
  CheckThread("StartWaiting", location);
  background_.StartWaiting(location);
}

void ForegroundExecutor::FinishWaiting(std::source_location location) const {
  CheckThread("FinishWaiting", location);
  background_.FinishWaiting();
}

void ForegroundExecutor::SetBlockOnTicks(int64_t min, int64_t max,
                                         std::source_location location) const {
  CheckThread("SetBlockOnTicks", location);
  background_.SetBlockOnTicks(min, max);
}

}  // namespace gpui
