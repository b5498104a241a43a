#include "testing/tests/planted_bugs.h"

#include "scheduler/spawn.h"
#include "scheduler/yield.h"

namespace scheduler::planted {

bool DepthTwoBugShows(const std::shared_ptr<TestScheduler>& scheduler) {
  bool published = false;
  bool bug = false;
  Task<void> a = Spawn(scheduler, [&published]() -> Future<void> {
    published = true;  // A's step 1
    co_await Yield();
    published = false;  // A's step 2
  });
  Task<void> b = Spawn(scheduler, [&]() -> Future<void> {
    for (int i = 1; i < kDepthTwoLongSteps; ++i) co_await Yield();
    if (published) bug = true;  // B's last step
  });
  scheduler->RunUntilParked();
  return bug;
}

bool DepthThreeBugShows(const std::shared_ptr<TestScheduler>& scheduler) {
  struct Cache {
    bool valid = true;
    int value = 1;
  };
  int store = 1;
  Cache cache;
  Task<void> writer = Spawn(scheduler, [&]() -> Future<void> {
    cache.valid = false;  // a1
    co_await Yield();
    store = 2;  // a2
    cache = Cache{.valid = true, .value = store};
  });
  Task<void> reader = Spawn(scheduler, [&]() -> Future<void> {
    for (int i = 1; i < kDepthThreeLongSteps; ++i) co_await Yield();  // other work
    if (cache.valid) co_return;
    const int read = store;  // b1
    co_await Yield();
    cache = Cache{.valid = true, .value = read};  // b2
  });
  scheduler->RunUntilParked();
  return cache.valid && cache.value != store;
}

}  // namespace scheduler::planted
