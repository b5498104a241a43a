// The scheduler contract suite (//platforms/tests) against WindowsDispatcher:
// with the default pool size, a single pool thread (the tightest case for
// wake-ups and ordering) and four. Cross-built with --config=windows, run
// under wine.
#include "gtest/gtest.h"
#include "platforms/internal/os_dispatchers.h"
#include "platforms/tests/platform_dispatcher_harness.h"
#include "platforms/tests/scheduler_contract.h"

namespace scheduler {
namespace {

HarnessFactory Windows(const char* name, int workers) {
  return {
      name, [workers] {
        return MakePlatformDispatcherHarness(CreateWindowsDispatcher({.worker_threads = workers}));
      }};
}

INSTANTIATE_TEST_SUITE_P(Windows, SchedulerContractTest,
                         testing::Values(Windows("DefaultWorkers", 0), Windows("OneWorker", 1),
                                         Windows("FourWorkers", 4)),
                         HarnessFactoryName);

}  // namespace
}  // namespace scheduler
