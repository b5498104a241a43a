// A SchedulerHarness for any PlatformDispatcher (Linux, Windows, macOS), so
// each OS's test binary runs the contract suite with two lines:
//
//   INSTANTIATE_TEST_SUITE_P(
//       Windows, SchedulerContractTest,
//       testing::Values(HarnessFactory{"Windows", [] {
//         return MakePlatformDispatcherHarness(CreatePlatformDispatcher());
//       }}),
//       HarnessFactoryName);
//
// Driving runs the dispatcher's main loop on the test's thread; a watchdog
// thread quits the loop if the test body has not finished within the limit,
// so a deadlocked case fails instead of hanging. Unhandled exceptions are
// captured through the process-wide handler (SetUnhandledExceptionHandler),
// which the harness restores when destroyed.
#ifndef PLATFORMS_TESTS_PLATFORM_DISPATCHER_HARNESS_H_
#define PLATFORMS_TESTS_PLATFORM_DISPATCHER_HARNESS_H_

#include <memory>

#include "platforms/platform_dispatcher.h"
#include "platforms/tests/scheduler_harness.h"

namespace scheduler {

// `dispatcher` must have been created on the calling thread.
std::unique_ptr<SchedulerHarness> MakePlatformDispatcherHarness(
    std::shared_ptr<PlatformDispatcher> dispatcher);

}  // namespace scheduler

#endif  // PLATFORMS_TESTS_PLATFORM_DISPATCHER_HARNESS_H_
