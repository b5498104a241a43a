// The scheduler contract suite against the deterministic TestScheduler, for a
// few seeds, so tests written against it expect what production delivers.
#include "gtest/gtest.h"
#include "platforms/tests/scheduler_contract.h"
#include "platforms/tests/scheduler_harness.h"
#include "platforms/tests/test_scheduler_harness.h"

namespace scheduler {
namespace {

HarnessFactory Seed(uint64_t seed) {
  return {"TestSchedulerSeed" + std::to_string(seed),
          [seed] { return MakeTestSchedulerHarness(seed); }};
}

INSTANTIATE_TEST_SUITE_P(TestScheduler, SchedulerContractTest,
                         testing::Values(Seed(1), Seed(2), Seed(3)), HarnessFactoryName);

}  // namespace
}  // namespace scheduler
