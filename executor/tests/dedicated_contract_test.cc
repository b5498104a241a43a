// The scheduler contract suite run against a dedicated session's scheduler
// (executor/dedicated.cc), over the production dispatcher (the session has a
// thread of its own) and over the TestScheduler (the session is one more
// foreground session there).
#include <memory>
#include <source_location>

#include "executor/dedicated.h"
#include "gtest/gtest.h"
#include "platforms/platform_dispatcher.h"
#include "platforms/tests/platform_dispatcher_harness.h"
#include "platforms/tests/scheduler_contract.h"
#include "platforms/tests/scheduler_harness.h"
#include "platforms/tests/test_scheduler_harness.h"
#include "platforms/tests/wrapping_harness.h"

namespace scheduler {
namespace {

Wrapped Dedicated(const std::shared_ptr<Scheduler>& inner) {
  return {internal::AsScheduler(
              internal::MakeDedicatedScheduler(inner, std::source_location::current())),
          /*shutdown=*/[] {}, /*runs_foreground_on_main_thread=*/false};
}

INSTANTIATE_TEST_SUITE_P(Dedicated, SchedulerContractTest,
                         testing::Values(HarnessFactory{"OverPlatformDispatcher",
                                                        [] {
                                                          return MakeWrappingHarness(
                                                              MakePlatformDispatcherHarness(
                                                                  CreatePlatformDispatcher()),
                                                              &Dedicated);
                                                        }},
                                         HarnessFactory{"OverTestScheduler",
                                                        [] {
                                                          return MakeWrappingHarness(
                                                              MakeTestSchedulerHarness(/*seed=*/7),
                                                              &Dedicated);
                                                        }}),
                         HarnessFactoryName);

}  // namespace
}  // namespace scheduler
