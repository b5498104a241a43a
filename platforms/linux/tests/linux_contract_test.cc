// The scheduler contract suite against LinuxDispatcher: with the default
// worker count, and with a single worker (the tightest case for wake-ups).
#include "gtest/gtest.h"
#include "platforms/internal/os_dispatchers.h"
#include "platforms/tests/platform_dispatcher_harness.h"
#include "platforms/tests/scheduler_contract.h"
#include "platforms/tests/scheduler_harness.h"

namespace scheduler {
namespace {

HarnessFactory Linux(const char* name, int workers) {
  return {
      name, [workers] {
        return MakePlatformDispatcherHarness(CreateLinuxDispatcher({.worker_threads = workers}));
      }};
}

INSTANTIATE_TEST_SUITE_P(Linux, SchedulerContractTest,
                         testing::Values(Linux("DefaultWorkers", 0), Linux("OneWorker", 1),
                                         Linux("FourWorkers", 4)),
                         HarnessFactoryName);

}  // namespace
}  // namespace scheduler
