// The scheduler contract suite: behaviour every Scheduler with a main thread
// must show, written once and run against each implementation.
//
// An implementation joins the suite by providing a SchedulerHarness (how to
// make, drive and shut down its scheduler) and instantiating the suite in its
// own test binary:
//
//   INSTANTIATE_TEST_SUITE_P(
//       Linux, SchedulerContractTest,
//       testing::Values(HarnessFactory{"Linux", [] {
//         return MakePlatformDispatcherHarness(CreateLinuxDispatcher());
//       }}),
//       HarnessFactoryName);
//
// The test binary must link the `scheduler_contract` library, whose TEST_Ps
// register themselves (alwayslink), plus a gtest main. The harness interface
// is in scheduler_harness.h.
//
// Each case runs on the test's thread, which is the scheduler's main thread:
// the harness is made in SetUp on that thread. Cases run their body as a
// foreground task and drive the scheduler until it signals completion, so
// the same code exercises a real run loop and the deterministic
// TestScheduler. Timing assertions only ever check "not before the deadline",
// never an upper bound, except where a generous bound is the point.
#ifndef PLATFORMS_TESTS_SCHEDULER_CONTRACT_H_
#define PLATFORMS_TESTS_SCHEDULER_CONTRACT_H_

#include <functional>
#include <memory>

#include "gtest/gtest.h"
#include "platforms/tests/scheduler_harness.h"
#include "scheduler/duration.h"
#include "scheduler/future.h"
#include "scheduler/scheduler.h"

namespace scheduler {

class SchedulerContractTest : public testing::TestWithParam<HarnessFactory> {
 protected:
  void SetUp() override;
  void TearDown() override;

  SchedulerHarness& harness() { return *harness_; }
  const std::shared_ptr<Scheduler>& scheduler() const { return scheduler_; }

  // Spawns `body` as a foreground task and drives the scheduler until it
  // finishes. Fails the test if the body throws or does not finish within
  // `limit`.
  void RunMain(std::function<Future<void>()> body, Duration limit = std::chrono::seconds(60));

 private:
  std::unique_ptr<SchedulerHarness> harness_;
  std::shared_ptr<Scheduler> scheduler_;
};

}  // namespace scheduler

#endif  // PLATFORMS_TESTS_SCHEDULER_CONTRACT_H_
