// The scheduler contract suite (//platforms/tests) against MacDispatcher, built on Linux over the
// real libdispatch. MacDispatcher has no worker-count option (GCD sizes its own pool), so there is
// one instantiation.
#include "gtest/gtest.h"
#include "platforms/internal/os_dispatchers.h"
#include "platforms/tests/platform_dispatcher_harness.h"
#include "platforms/tests/scheduler_contract.h"
#include "platforms/tests/scheduler_harness.h"

namespace scheduler {
namespace {

INSTANTIATE_TEST_SUITE_P(Mac, SchedulerContractTest,
                         testing::Values(HarnessFactory{
                             "Libdispatch",
                             [] { return MakePlatformDispatcherHarness(CreateMacDispatcher()); }}),
                         HarnessFactoryName);

}  // namespace
}  // namespace scheduler
