// The test harness imported into another workspace: a SCHEDULER_TEST over many seeds, with the
// Cloud simulation and the GPUI executor on the TestScheduler.
#include <chrono>
#include <vector>

#include "cloud_integration/simulated_execution_context.h"
#include "executor/executor.h"
#include "gpui_integration/background_executor.h"
#include "scheduler/future.h"
#include "scheduler/task.h"
#include "testing/harness.h"

namespace {

using scheduler::Executor;
using scheduler::Future;
using scheduler::Task;

SCHEDULER_TEST_WITH(ImportedHarness, SessionsAndExecutorsWorkOverManySeeds, .iterations = 20) {
  cloud::SimulatedExecutionContext ctx(scheduler);
  gpui::BackgroundExecutor background(ctx.scheduler());
  const cloud::CloudSessionId session = ctx.CreateSession();
  Task<void> request;
  ASSERT_TRUE(ctx.WithSession(session,
                              [&] {
                                request =
                                    ctx.executor().Spawn(ctx.Delay(std::chrono::milliseconds(5)));
                              })
                  .ok());
  Task<int> sum = background.Spawn([]() -> Future<int> { co_return 1 + 2; });
  scheduler->RunUntilParked();
  EXPECT_TRUE(sum.IsReady());
  EXPECT_FALSE(ctx.ValidateSessionCleanup(session).ok()) << "the request is still running";
  scheduler->AdvanceClock(std::chrono::milliseconds(5));
  EXPECT_TRUE(request.IsReady());
  EXPECT_TRUE(ctx.ValidateSessionCleanup(session).ok());
  scheduler->Shutdown();
}

}  // namespace
