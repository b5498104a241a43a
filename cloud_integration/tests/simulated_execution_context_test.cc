// SimulatedExecutionContext: sessions, automatic association and lineage,
// authorized (WaitUntil) vs unauthorized tasks, nesting, ServeRequest, misuse.
// Driven by the deterministic TestScheduler; behaviours that depend on the
// interleaving are checked over many seeds.
#include "cloud_integration/simulated_execution_context.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/current_task.h"
#include "scheduler/future.h"
#include "scheduler/task.h"
#include "scheduler/yield.h"
#include "testing/harness.h"
#include "testing/test_scheduler.h"

namespace cloud {
namespace {

using ::scheduler::Executor;
using ::scheduler::Future;
using ::scheduler::Task;
using ::scheduler::TaskId;
using ::scheduler::TestScheduler;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

// Runs everything, firing timers until none is left.
void RunToCompletion(TestScheduler& scheduler) {
  scheduler.RunUntilParked();
  while (scheduler.AdvanceClockToNextTimer()) {
  }
}

// A context over the harness's TestScheduler, which it shuts down first when
// the test body ends: tasks refer to the context.
struct Sim {
  explicit Sim(const std::shared_ptr<TestScheduler>& s, SimulatedExecutionContext::Options o = {})
      : scheduler(s), ctx(s, std::move(o)) {}
  ~Sim() { scheduler->Shutdown(); }
  std::shared_ptr<TestScheduler> scheduler;
  SimulatedExecutionContext ctx;
};

// Every test runs for 25 seeds (ITERATIONS / SEED override; see harness.h).
#define SIM_TEST(name) SCHEDULER_TEST_WITH(SimulatedContextTest, name, .iterations = 25)

SIM_TEST(TasksSpawnedInsideWithSessionJoinIt) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx_ = sim.ctx;
  const CloudSessionId a = ctx_.CreateSession();
  const CloudSessionId b = ctx_.CreateSession();
  EXPECT_NE(a, b);
  Task<void> in_a, outside;
  std::optional<CloudSessionId> current_inside;
  ASSERT_TRUE(ctx_.WithSession(a,
                               [&] {
                                 current_inside = ctx_.GetCurrentSession();
                                 in_a = ctx_.executor().Spawn(ctx_.Delay(5ms));
                               })
                  .ok());
  outside = ctx_.executor().Spawn(ctx_.Delay(5ms));
  EXPECT_EQ(current_inside, a);
  EXPECT_EQ(ctx_.GetCurrentSession(), std::nullopt);
  EXPECT_EQ(ctx_.SessionOf(in_a.id()), a);
  EXPECT_EQ(ctx_.SessionOf(outside.id()), std::nullopt);
  EXPECT_THAT(*ctx_.LiveTasks(a), ::testing::Contains(in_a.id()));
  EXPECT_TRUE(ctx_.LiveTasks(b)->empty());
  RunToCompletion(*scheduler);
  EXPECT_TRUE(in_a.IsReady());
  EXPECT_TRUE(ctx_.LiveTasks(a)->empty()) << "finished tasks leave their session";
}

SIM_TEST(GrandchildrenSpawnedLaterThroughAnyExecutorJoinTheSession) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx_ = sim.ctx;
  const CloudSessionId session = ctx_.CreateSession();
  Executor background(ctx_.scheduler());  // another executor, same observed scheduler
  TaskId child_id, grandchild_id;
  std::optional<CloudSessionId> seen_by_grandchild;
  Task<void> handler;
  ASSERT_TRUE(ctx_.WithSession(session,
                               [&] {
                                 handler = ctx_.executor().Spawn([&]() -> Future<void> {
                                   co_await ctx_.Delay(1ms);  // spawn later, not inside WithSession
                                   Task<void> child = ctx_.executor().Spawn([&]() -> Future<void> {
                                     co_await scheduler::Yield();
                                     Task<void> grandchild =
                                         background.Spawn([&]() -> Future<void> {
                                           seen_by_grandchild = ctx_.GetCurrentSession();
                                           co_await ctx_.Delay(1h);
                                         });
                                     grandchild_id = grandchild.id();
                                     grandchild.Detach();
                                   });
                                   child_id = child.id();
                                   co_await std::move(child);
                                 });
                               })
                  .ok());
  scheduler->RunUntilParked();
  scheduler->AdvanceClock(1ms);
  ASSERT_TRUE(handler.IsReady());
  EXPECT_EQ(seen_by_grandchild, session);
  EXPECT_EQ(ctx_.SessionOf(grandchild_id), session);
  absl::Status cleanup = ctx_.ValidateSessionCleanup(session);
  EXPECT_EQ(cleanup.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(cleanup.message(), HasSubstr("task#" + std::to_string(grandchild_id.value()) +
                                           " spawned at cloud_integration/tests/"));
  EXPECT_THAT(cleanup.message(), HasSubstr("by task#" + std::to_string(child_id.value())));
}

SIM_TEST(WaitUntilWorkIsAuthorizedAndDetachedWorkIsNot) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx_ = sim.ctx;
  const CloudSessionId session = ctx_.CreateSession();
  TaskId detached_id;
  Task<void> handler;
  ASSERT_TRUE(ctx_.WithSession(session,
                               [&] {
                                 handler = ctx_.executor().Spawn([&]() -> Future<void> {
                                   ctx_.WaitUntil(
                                       [](SimulatedExecutionContext& ctx) -> Future<absl::Status> {
                                         co_await ctx.Delay(
                                             50ms);  // its timer is authorized with it
                                         co_return absl::OkStatus();
                                       }(ctx_));
                                   Task<void> forgotten = ctx_.executor().Spawn(ctx_.Delay(50ms));
                                   detached_id = forgotten.id();
                                   forgotten.Detach();
                                   co_await ctx_.Delay(10ms);
                                 });
                               })
                  .ok());
  scheduler->RunUntilParked();
  scheduler->AdvanceClock(10ms);
  ASSERT_TRUE(handler.IsReady());
  ASSERT_EQ(ctx_.LiveTasks(session)->size(), 4u) << "wait-until + its timer, detached + its timer";
  absl::Status cleanup = ctx_.ValidateSessionCleanup(session);
  EXPECT_EQ(cleanup.code(), absl::StatusCode::kFailedPrecondition);
  // The detached task and the timer it awaits; never the wait-until work.
  EXPECT_THAT(cleanup.message(), HasSubstr("2 unauthorized tasks still running"));
  EXPECT_THAT(cleanup.message(), HasSubstr("task#" + std::to_string(detached_id.value()) + " "));
  EXPECT_THAT(cleanup.message(), Not(HasSubstr("wait-until")));

  RunToCompletion(*scheduler);
  EXPECT_TRUE(ctx_.ValidateSessionCleanup(session).ok())
      << "once the stragglers finished there is nothing left to report";
}

SIM_TEST(ValidationPassesWhenEverythingFinishedOrIsWaitUntil) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx_ = sim.ctx;
  const CloudSessionId session = ctx_.CreateSession();
  Task<void> handler;
  ASSERT_TRUE(ctx_.WithSession(session,
                               [&] {
                                 handler = ctx_.executor().Spawn([&]() -> Future<void> {
                                   Task<void> helper = ctx_.executor().Spawn(ctx_.Delay(3ms));
                                   ctx_.WaitUntil(
                                       [](SimulatedExecutionContext& ctx) -> Future<absl::Status> {
                                         co_await ctx.Delay(1h);
                                         co_return absl::OkStatus();
                                       }(ctx_));
                                   co_await std::move(
                                       helper);  // awaited: finished before the response
                                 });
                               })
                  .ok());
  scheduler->RunUntilParked();
  scheduler->AdvanceClock(3ms);
  ASSERT_TRUE(handler.IsReady());
  EXPECT_EQ(ctx_.LiveTasks(session)->size(), 2u) << "the wait-until work and its timer";
  EXPECT_TRUE(ctx_.ValidateSessionCleanup(session).ok());
}

SIM_TEST(ChildOutlivingItsWaitUntilParentIsUnauthorized) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx_ = sim.ctx;
  const CloudSessionId session = ctx_.CreateSession();
  Task<void> handler;
  ASSERT_TRUE(ctx_.WithSession(session,
                               [&] {
                                 handler = ctx_.executor().Spawn([&]() -> Future<void> {
                                   ctx_.WaitUntil(
                                       [](SimulatedExecutionContext& ctx) -> Future<absl::Status> {
                                         ctx.executor().Spawn(ctx.Delay(1h)).Detach();
                                         co_await ctx.Delay(1ms);
                                         co_return absl::OkStatus();
                                       }(ctx_));
                                   co_return;
                                 });
                               })
                  .ok());
  scheduler->RunUntilParked();
  EXPECT_TRUE(ctx_.ValidateSessionCleanup(session).ok())
      << "while the wait-until work runs, its children are part of it";
  scheduler->AdvanceClock(1ms);
  absl::Status cleanup = ctx_.ValidateSessionCleanup(session);
  EXPECT_EQ(cleanup.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(cleanup.message(), HasSubstr("unauthorized"));
}

SIM_TEST(NestedWithSessionRestoresTheOuterSession) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx_ = sim.ctx;
  const CloudSessionId outer = ctx_.CreateSession();
  const CloudSessionId inner = ctx_.CreateSession();
  Task<void> t1, t2, t3;
  std::optional<CloudSessionId> in_inner, after_inner;
  ASSERT_TRUE(ctx_.WithSession(outer,
                               [&] {
                                 t1 = ctx_.executor().Spawn(ctx_.Delay(1ms));
                                 ASSERT_TRUE(ctx_.WithSession(inner,
                                                              [&] {
                                                                in_inner = ctx_.GetCurrentSession();
                                                                t2 = ctx_.executor().Spawn(
                                                                    ctx_.Delay(1ms));
                                                              })
                                                 .ok());
                                 after_inner = ctx_.GetCurrentSession();
                                 t3 = ctx_.executor().Spawn(ctx_.Delay(1ms));
                               })
                  .ok());
  EXPECT_EQ(in_inner, inner);
  EXPECT_EQ(after_inner, outer);
  EXPECT_EQ(ctx_.GetCurrentSession(), std::nullopt);
  EXPECT_EQ(ctx_.SessionOf(t1.id()), outer);
  EXPECT_EQ(ctx_.SessionOf(t2.id()), inner);
  EXPECT_EQ(ctx_.SessionOf(t3.id()), outer);
}

SIM_TEST(WithSessionInsideASessionTaskWinsOverLineage) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx_ = sim.ctx;
  const CloudSessionId outer = ctx_.CreateSession();
  const CloudSessionId inner = ctx_.CreateSession();
  TaskId nested_id, lineage_id;
  Task<void> handler;
  ASSERT_TRUE(ctx_.WithSession(outer,
                               [&] {
                                 handler = ctx_.executor().Spawn([&]() -> Future<void> {
                                   Task<void> nested, lineage;
                                   EXPECT_TRUE(ctx_.WithSession(inner,
                                                                [&] {
                                                                  nested = ctx_.executor().Spawn(
                                                                      ctx_.Delay(1ms));
                                                                })
                                                   .ok());
                                   lineage = ctx_.executor().Spawn(ctx_.Delay(1ms));
                                   nested_id = nested.id();
                                   lineage_id = lineage.id();
                                   EXPECT_EQ(ctx_.GetCurrentSession(), outer);
                                   co_await std::move(nested);
                                   co_await std::move(lineage);
                                 });
                               })
                  .ok());
  scheduler->RunUntilParked();
  EXPECT_EQ(ctx_.SessionOf(nested_id), inner);
  EXPECT_EQ(ctx_.SessionOf(lineage_id), outer);
  RunToCompletion(*scheduler);
  EXPECT_TRUE(handler.IsReady());
}

SIM_TEST(LineageBeatsASessionLeftCurrentByTheDriver) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx_ = sim.ctx;
  const CloudSessionId first = ctx_.CreateSession();
  const CloudSessionId second = ctx_.CreateSession();
  TaskId child_id;
  ASSERT_TRUE(ctx_.SetCurrentSession(first).ok());
  Task<void> handler = ctx_.executor().Spawn([&]() -> Future<void> {
    co_await ctx_.Delay(1ms);
    Task<void> child = ctx_.executor().Spawn(ctx_.Delay(1ms));
    child_id = child.id();
    co_await std::move(child);
  });
  ASSERT_TRUE(ctx_.SetCurrentSession(second).ok());
  Task<void> other = ctx_.executor().Spawn(ctx_.Delay(5ms));
  scheduler->RunUntilParked();
  scheduler->AdvanceClock(1ms);
  EXPECT_EQ(ctx_.SessionOf(handler.id()), first);
  EXPECT_EQ(ctx_.SessionOf(child_id), first) << "a session's task spawns into its own session";
  EXPECT_EQ(ctx_.SessionOf(other.id()), second);
  ctx_.ClearCurrentSession();
  EXPECT_EQ(ctx_.GetCurrentSession(), std::nullopt);
}

SIM_TEST(ValidatingWhileTheHandlerRunsNamesIt) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx_ = sim.ctx;
  const CloudSessionId session = ctx_.CreateSession();
  Task<void> handler;
  ASSERT_TRUE(
      ctx_.WithSession(session, [&] { handler = ctx_.executor().Spawn(ctx_.Delay(10ms)); }).ok());
  scheduler->RunUntilParked();
  absl::Status early = ctx_.ValidateSessionCleanup(session);
  EXPECT_EQ(early.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(early.message(), HasSubstr("task#" + std::to_string(handler.id().value())));
  EXPECT_THAT(early.message(), HasSubstr("entry task of the session, still running"));
  RunToCompletion(*scheduler);
  EXPECT_TRUE(ctx_.ValidateSessionCleanup(session).ok());
}

SIM_TEST(CancelledTasksAreNotRunning) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx_ = sim.ctx;
  const CloudSessionId session = ctx_.CreateSession();
  Task<void> dropped;
  ASSERT_TRUE(
      ctx_.WithSession(session, [&] { dropped = ctx_.executor().Spawn(ctx_.Delay(1h)); }).ok());
  scheduler->RunUntilParked();
  EXPECT_FALSE(ctx_.ValidateSessionCleanup(session).ok());
  dropped = Task<void>();  // cancels it (and its timer)
  EXPECT_TRUE(ctx_.ValidateSessionCleanup(session).ok());
  EXPECT_TRUE(ctx_.LiveTasks(session)->empty());
}

SIM_TEST(TheSchedulerStillSeesTasksAndTestControlsThroughTheWrapper) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx_ = sim.ctx;
  Task<void> task = ctx_.executor().Spawn(ctx_.Delay(1ms));
  EXPECT_TRUE(scheduler->IsTaskRunning(task.id())) << "the inner registry is still told";
  EXPECT_EQ(ctx_.executor().background().Tick(), std::optional<bool>(true));
  RunToCompletion(*scheduler);
  EXPECT_FALSE(scheduler->IsTaskRunning(task.id()));
}

// --- ServeRequest ---------------------------------------------------------

template <typename T>
T Result(Task<T>& task) {
  EXPECT_TRUE(task.IsReady());
  return task.TakeResult("test");
}

SIM_TEST(ServeRequestFinishesOnlyAfterItsWaitUntilWork) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx_ = sim.ctx;
  bool background_done = false;
  RequestHandler handler = [&](Request request, ExecutionContext& ctx,
                               PlatformRuntime& runtime) -> Future<Response> {
    ctx.WaitUntil([](PlatformRuntime& rt, bool& done) -> Future<absl::Status> {
      co_await rt.Delay(30ms);
      done = true;
      co_return absl::OkStatus();
    }(runtime, background_done));
    co_await runtime.Delay(5ms);
    co_return Response{.status = 200, .body = "hello " + request.path};
  };
  Task<SimulatedRequestResult> served =
      ctx_.executor().Spawn(ctx_.ServeRequest({.method = "GET", .path = "/x"}, handler));
  scheduler->RunUntilParked();
  scheduler->AdvanceClock(5ms);
  EXPECT_FALSE((served.IsReady() || served.IsCancelled()))
      << "the response is ready but the wait-until work is not";
  scheduler->AdvanceClock(25ms);
  SimulatedRequestResult result = Result(served);
  EXPECT_TRUE(background_done);
  EXPECT_EQ(result.response.status, 200);
  EXPECT_EQ(result.response.body, "hello /x");
  EXPECT_TRUE(result.cleanup.ok()) << result.cleanup;
  EXPECT_TRUE(result.wait_until.ok());
  EXPECT_TRUE(result.handler_error.ok());
}

SIM_TEST(ServeRequestReportsEveryWaitUntilFailure) {
  std::vector<std::string> reported;
  Sim sim(scheduler, {.on_wait_until_error = [&](const absl::Status& error, std::source_location) {
            reported.push_back(error.ToString());
          }});
  SimulatedExecutionContext& ctx = sim.ctx;
  RequestHandler handler = [](Request, ExecutionContext& ctx,
                              PlatformRuntime&) -> Future<Response> {
    ctx.WaitUntil([]() -> Future<absl::Status> { co_return absl::UnavailableError("kv down"); }());
    ctx.WaitUntil([]() -> Future<absl::Status> {
      throw std::runtime_error("analytics exploded");
      co_return absl::OkStatus();
    }());
    co_return Response{};
  };
  Task<SimulatedRequestResult> served = ctx.executor().Spawn(ctx.ServeRequest({}, handler));
  RunToCompletion(*scheduler);
  SimulatedRequestResult result = Result(served);
  EXPECT_EQ(result.response.status, 200) << "wait-until failures do not change the response";
  EXPECT_EQ(result.wait_until.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(result.wait_until.message(), HasSubstr("kv down"));
  EXPECT_THAT(result.wait_until.message(), HasSubstr("analytics exploded"));
  EXPECT_THAT(result.wait_until.message(), HasSubstr("simulated_execution_context_test.cc"));
  EXPECT_EQ(reported.size(), 2u);
}

SIM_TEST(HandlerThatThrowsAfterPassThroughIsServedByTheOrigin) {
  Sim sim(scheduler, {.origin = [](Request request) -> Future<Response> {
            co_return Response{.status = 203, .body = "origin " + request.path};
          }});
  SimulatedExecutionContext& ctx = sim.ctx;
  auto throwing = [](bool pass_through) -> RequestHandler {
    return [pass_through](Request, ExecutionContext& ctx, PlatformRuntime&) -> Future<Response> {
      if (pass_through) ctx.PassThrough();
      throw std::runtime_error("bug in handler");
      co_return Response{};
    };
  };
  Task<SimulatedRequestResult> passed =
      ctx.executor().Spawn(ctx.ServeRequest({.path = "/p"}, throwing(true)));
  Task<SimulatedRequestResult> failed =
      ctx.executor().Spawn(ctx.ServeRequest({.path = "/f"}, throwing(false)));
  RunToCompletion(*scheduler);
  SimulatedRequestResult p = Result(passed);
  SimulatedRequestResult f = Result(failed);
  EXPECT_TRUE(p.passed_through);
  EXPECT_EQ(p.response.status, 203);
  EXPECT_EQ(p.response.body, "origin /p");
  EXPECT_THAT(p.handler_error.message(), HasSubstr("bug in handler"));
  EXPECT_FALSE(f.passed_through);
  EXPECT_EQ(f.response.status, 500);
  EXPECT_THAT(f.response.body, HasSubstr("bug in handler"));
  EXPECT_EQ(*ctx.PassThroughRequested(p.session), true);
  EXPECT_EQ(*ctx.PassThroughRequested(f.session), false);
}

// --- Misuse -----------------------------------------------------------------

SIM_TEST(UnknownSessionIdsAreNotFoundErrors) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx_ = sim.ctx;
  const CloudSessionId known = ctx_.CreateSession();
  const CloudSessionId unknown(known.value() + 1);
  EXPECT_EQ(ctx_.ValidateSessionCleanup(unknown).code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(ctx_.ValidateSessionCleanup(unknown).message(),
              HasSubstr("unknown session#" + std::to_string(unknown.value())));
  EXPECT_EQ(ctx_.ValidateSessionCleanup(CloudSessionId()).code(), absl::StatusCode::kNotFound);
  bool ran = false;
  EXPECT_EQ(ctx_.WithSession(unknown, [&] { ran = true; }).code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(ran) << "WithSession must not run the callback for an unknown session";
  ASSERT_TRUE(ctx_.SetCurrentSession(known).ok());
  EXPECT_EQ(ctx_.SetCurrentSession(unknown).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ctx_.GetCurrentSession(), known) << "a failed SetCurrentSession keeps the current one";
  EXPECT_EQ(ctx_.LiveTasks(unknown).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ctx_.PassThroughRequested(unknown).status().code(), absl::StatusCode::kNotFound);
  Task<absl::Status> settled = ctx_.executor().Spawn(ctx_.WaitUntilSettled(unknown));
  scheduler->RunUntilParked();
  EXPECT_EQ(Result(settled).code(), absl::StatusCode::kNotFound);
  // Ids of another context are unknown here.
  SimulatedExecutionContext other(scheduler);
  EXPECT_EQ(other.ValidateSessionCleanup(known).code(), absl::StatusCode::kNotFound);
}

TEST(SimulatedContextDeathTest, WaitUntilOutsideAnySessionIsFatal) {
  Sim sim(TestScheduler::Create());
  EXPECT_DEATH(sim.ctx.WaitUntil([]() -> Future<absl::Status> { co_return absl::OkStatus(); }()),
               "WaitUntil called outside of any session at .*simulated_execution_context_test.cc");
}

TEST(SimulatedContextDeathTest, PassThroughOutsideAnySessionIsFatal) {
  Sim sim(TestScheduler::Create());
  EXPECT_DEATH(
      sim.ctx.PassThrough(),
      "PassThrough called outside of any session at .*simulated_execution_context_test.cc");
}

TEST(SimulatedContextDeathTest, NullSchedulerIsFatal) {
  EXPECT_DEATH(SimulatedExecutionContext(nullptr), "null scheduler");
}

// --- The seeds' session API (issue 12, item 15) ---

SIM_TEST(WithSessionReturnsTheCallbacksValue) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx = sim.ctx;
  const CloudSessionId session = ctx.CreateSession();
  absl::StatusOr<TaskId> spawned = ctx.WithSession(session, [&] {
    Task<void> task = ctx.executor().Spawn(ctx.Delay(1ms));
    TaskId id = task.id();
    task.Detach();
    return id;
  });
  ASSERT_TRUE(spawned.ok());
  EXPECT_EQ(ctx.SessionOf(*spawned), session);
  absl::StatusOr<std::string> text = ctx.WithSession(session, [] { return std::string("x"); });
  EXPECT_EQ(*text, "x");
  absl::Status inner = ctx.WithSession(session, [] { return absl::InternalError("from fn"); });
  EXPECT_EQ(inner.message(), "from fn");
  bool ran = false;
  absl::StatusOr<int> unknown = ctx.WithSession(CloudSessionId(99), [&] {
    ran = true;
    return 1;
  });
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(ran);
  RunToCompletion(*scheduler);
}

SIM_TEST(TrackTaskForSessionAdoptsATaskSpawnedOutsideAnySession) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx = sim.ctx;
  Task<void> early = ctx.executor().Spawn([&]() -> Future<void> {
    co_await ctx.Delay(5ms);
    // Spawned after the adoption: joins by lineage.
    Task<void> child = ctx.executor().Spawn(ctx.Delay(50ms));
    child.Detach();
  });
  const CloudSessionId session = ctx.CreateSession();
  EXPECT_EQ(ctx.SessionOf(early.id()), std::nullopt);
  ASSERT_TRUE(ctx.TrackTaskForSession(early.id(), session).ok());
  EXPECT_EQ(ctx.SessionOf(early.id()), session);
  EXPECT_THAT(ctx.ValidateSessionCleanup(session).message(), HasSubstr("task#"));
  scheduler->RunUntilParked();
  scheduler->AdvanceClock(10ms);  // `early` finished, its child is running
  EXPECT_TRUE(early.IsReady());
  absl::Status cleanup = ctx.ValidateSessionCleanup(session);
  EXPECT_EQ(cleanup.code(), absl::StatusCode::kFailedPrecondition) << "the child joined by lineage";
  RunToCompletion(*scheduler);
  EXPECT_TRUE(ctx.ValidateSessionCleanup(session).ok());
}

SIM_TEST(AddWaitUntilTaskAuthorizesATaskAndItsDescendants) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx = sim.ctx;
  const CloudSessionId session = ctx.CreateSession();
  Task<void> background;
  ASSERT_TRUE(ctx.WithSession(session,
                              [&] {
                                background = ctx.executor().Spawn([&]() -> Future<void> {
                                  Task<void> child = ctx.executor().Spawn(ctx.Delay(20ms));
                                  co_await std::move(child);
                                });
                              })
                  .ok());
  scheduler->RunUntilParked();
  EXPECT_FALSE(ctx.ValidateSessionCleanup(session).ok());
  ASSERT_TRUE(ctx.AddWaitUntilTask(background.id()).ok());
  EXPECT_TRUE(ctx.ValidateSessionCleanup(session).ok()) << "it and its live child are authorized";
  RunToCompletion(*scheduler);
  EXPECT_TRUE(background.IsReady());
}

SIM_TEST(AddWaitUntilTaskWithASessionTracksFirst) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx = sim.ctx;
  Task<void> early = ctx.executor().Spawn(ctx.Delay(5ms));
  const CloudSessionId session = ctx.CreateSession();
  EXPECT_EQ(ctx.AddWaitUntilTask(early.id()).code(), absl::StatusCode::kNotFound)
      << "in no session yet";
  ASSERT_TRUE(ctx.AddWaitUntilTask(session, early.id()).ok());
  EXPECT_EQ(ctx.SessionOf(early.id()), session);
  EXPECT_TRUE(ctx.ValidateSessionCleanup(session).ok());
  RunToCompletion(*scheduler);
  EXPECT_EQ(ctx.TrackTaskForSession(early.id(), session).code(), absl::StatusCode::kNotFound)
      << "finished tasks cannot be tracked";
  EXPECT_EQ(ctx.TrackTaskForSession(early.id(), CloudSessionId(42)).code(),
            absl::StatusCode::kNotFound);
}

SIM_TEST(TrackTaskForSessionMovesATaskBetweenSessions) {
  Sim sim(scheduler);
  SimulatedExecutionContext& ctx = sim.ctx;
  const CloudSessionId a = ctx.CreateSession();
  const CloudSessionId b = ctx.CreateSession();
  Task<void> task;
  ASSERT_TRUE(ctx.WithSession(a, [&] { task = ctx.executor().Spawn(ctx.Delay(5ms)); }).ok());
  ASSERT_TRUE(ctx.TrackTaskForSession(task.id(), b).ok());
  EXPECT_EQ(ctx.SessionOf(task.id()), b);
  EXPECT_TRUE(ctx.LiveTasks(a)->empty());
  EXPECT_TRUE(ctx.ValidateSessionCleanup(a).ok());
  EXPECT_FALSE(ctx.ValidateSessionCleanup(b).ok());
  RunToCompletion(*scheduler);
}

}  // namespace
}  // namespace cloud
