// The scheduler contract suite run against a GPUI scope's proxy scheduler
// (internal/scope_scheduler.h), over the production dispatcher and over the
// TestScheduler: a scope's children must behave like any task.
#include <memory>
#include <utility>
#include <vector>

#include "gpui_integration/internal/scope_scheduler.h"
#include "gtest/gtest.h"
#include "platforms/platform_dispatcher.h"
#include "platforms/tests/platform_dispatcher_harness.h"
#include "platforms/tests/scheduler_contract.h"
#include "platforms/tests/scheduler_harness.h"
#include "platforms/tests/test_scheduler_harness.h"
#include "platforms/tests/wrapping_harness.h"

namespace scheduler {
namespace {

Wrapped Scope(const std::shared_ptr<Scheduler>& inner) {
  auto scope = std::make_shared<gpui::internal::ScopeScheduler>(inner);
  return {scope, [scope] {
            // Dropped here, outside the scope's lock.
            std::vector<Runnable> dropped = scope->Close();
          }};
}

INSTANTIATE_TEST_SUITE_P(Scope, SchedulerContractTest,
                         testing::Values(HarnessFactory{"OverPlatformDispatcher",
                                                        [] {
                                                          return MakeWrappingHarness(
                                                              MakePlatformDispatcherHarness(
                                                                  CreatePlatformDispatcher()),
                                                              &Scope);
                                                        }},
                                         HarnessFactory{"OverTestScheduler",
                                                        [] {
                                                          return MakeWrappingHarness(
                                                              MakeTestSchedulerHarness(/*seed=*/7),
                                                              &Scope);
                                                        }}),
                         HarnessFactoryName);

}  // namespace
}  // namespace scheduler
