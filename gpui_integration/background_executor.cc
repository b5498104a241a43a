#include "gpui_integration/background_executor.h"

#include "absl/strings/str_cat.h"
#include "scheduler/internal/task_core.h"

namespace gpui {

BackgroundExecutor::BackgroundExecutor(std::shared_ptr<scheduler::Scheduler> scheduler)
    : executor_(std::move(scheduler)) {}

std::optional<TestRng> BackgroundExecutor::Rng() const {
  if (!IsTest()) return std::nullopt;
  return TestRng(executor_.scheduler());
}

void BackgroundExecutor::AllowParking() const {
  if (scheduler::TestControls* controls = test_controls()) controls->AllowParking();
}

void BackgroundExecutor::ForbidParking() const {
  if (scheduler::TestControls* controls = test_controls()) controls->ForbidParking();
}

void BackgroundExecutor::SetWaitingHint(std::string hint) const {
  if (scheduler::TestControls* controls = test_controls()) {
    controls->SetWaitingHint(std::move(hint));
  }
}

void BackgroundExecutor::StartWaiting(std::source_location location) const {
  if (scheduler::TestControls* controls = test_controls()) controls->StartWaiting(location);
}

void BackgroundExecutor::FinishWaiting() const {
  if (scheduler::TestControls* controls = test_controls()) controls->FinishWaiting();
}

void BackgroundExecutor::SetBlockOnTicks(int64_t min, int64_t max) const {
  if (min < 0 || min > max) {
    scheduler::internal::FatalError(absl::StrCat("gpui::BackgroundExecutor::SetBlockOnTicks(", min,
                                                 ", ", max, "): need 0 <= min <= max"));
  }
  if (scheduler::TestControls* controls = test_controls()) controls->SetBlockOnTicks(min, max);
}

}  // namespace gpui
