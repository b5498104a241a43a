// A SchedulerHarness for a scheduler that wraps another one (a GPUI scope's
// proxy, the driver behind Block, a user's decorator): the contract suite
// spawns on the wrapper, and the wrapped scheduler's harness drives the loop.
//
//   INSTANTIATE_TEST_SUITE_P(Scope, SchedulerContractTest, testing::Values(HarnessFactory{
//       "OverLinux", [] {
//         return MakeWrappingHarness(MakePlatformDispatcherHarness(CreatePlatformDispatcher()),
//                                    [](std::shared_ptr<Scheduler> inner) { ... });
//       }}));
#ifndef PLATFORMS_TESTS_WRAPPING_HARNESS_H_
#define PLATFORMS_TESTS_WRAPPING_HARNESS_H_

#include <functional>
#include <memory>

#include "platforms/tests/scheduler_harness.h"
#include "scheduler/scheduler.h"

namespace scheduler {

// What the harness needs from the wrapper: the scheduler the suite spawns on,
// and how to stop it (called by `Shutdown`, before the wrapped scheduler's
// own shutdown; must be idempotent).
struct Wrapped {
  std::shared_ptr<Scheduler> scheduler;
  std::function<void()> shutdown;
  // See SchedulerHarness::runs_foreground_on_main_thread.
  bool runs_foreground_on_main_thread = true;
};

// `wrap` is called once, with `inner`'s scheduler. `DriveUntilDone`, `Done`
// and `CaptureUnhandledExceptions` go to `inner`; `Shutdown` stops the
// wrapper, then `inner`.
std::unique_ptr<SchedulerHarness> MakeWrappingHarness(
    std::unique_ptr<SchedulerHarness> inner,
    const std::function<Wrapped(const std::shared_ptr<Scheduler>&)>& wrap);

}  // namespace scheduler

#endif  // PLATFORMS_TESTS_WRAPPING_HARNESS_H_
