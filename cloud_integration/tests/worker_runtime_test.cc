// WorkerRuntime: Cloudflare-like waitUntil semantics on the production
// dispatcher (and, for the order-sensitive cases, on the TestScheduler across
// seeds): a request finishes only after its handler and all its wait-until
// work; wait-until work runs concurrently with the handler; failures are
// reported with their call site, never lost; pass-through serves the origin.
#include "cloud_integration/worker_runtime.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platforms/platform_dispatcher.h"
#include "scheduler/future.h"
#include "scheduler/oneshot.h"
#include "scheduler/task.h"
#include "testing/harness.h"
#include "testing/test_scheduler.h"

namespace cloud {
namespace {

using ::scheduler::Future;
using ::scheduler::Task;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

// Runs `body` on the dispatcher's main loop until it finishes.
void RunOnMainLoop(scheduler::PlatformDispatcher& dispatcher, WorkerRuntime& runtime,
                   std::function<Future<void>()> body) {
  Task<void> driver = runtime.executor().Spawn([&]() -> Future<void> {
    co_await body();
    dispatcher.QuitMainLoop();
  });
  dispatcher.RunMainLoop();
  EXPECT_TRUE(driver.IsReady());
}

class WorkerRuntimeOnDispatcherTest : public ::testing::Test {
 protected:
  ~WorkerRuntimeOnDispatcherTest() override { dispatcher_->Shutdown(); }

  std::shared_ptr<scheduler::PlatformDispatcher> dispatcher_ =
      scheduler::CreatePlatformDispatcher({.worker_threads = 2});
};

TEST_F(WorkerRuntimeOnDispatcherTest, RequestFinishesOnlyAfterItsWaitUntilWork) {
  WorkerRuntime runtime(dispatcher_);
  std::vector<std::string> events;  // main thread only
  RequestHandler handler = [&](Request request, ExecutionContext& ctx,
                               PlatformRuntime& rt) -> Future<Response> {
    ctx.WaitUntil(
        [](PlatformRuntime& rt, std::vector<std::string>& events) -> Future<absl::Status> {
          co_await rt.Delay(20ms);
          events.push_back("wait-until done");
          co_return absl::OkStatus();
        }(rt, events));
    events.push_back("handler returns");
    co_return Response{.status = 200, .body = request.path};
  };
  RunOnMainLoop(*dispatcher_, runtime, [&]() -> Future<void> {
    Request request{.method = "GET", .path = "/a"};
    Response response = co_await runtime.ServeRequest(request, handler);
    events.push_back("request finished");
    EXPECT_EQ(response.body, "/a");
  });
  EXPECT_THAT(events, ElementsAre("handler returns", "wait-until done", "request finished"));
  EXPECT_EQ(runtime.stats().requests_finished, 1u);
  EXPECT_EQ(runtime.stats().wait_until_registered, 1u);
}

TEST_F(WorkerRuntimeOnDispatcherTest, WaitUntilWorkRunsConcurrentlyWithTheHandler) {
  WorkerRuntime runtime(dispatcher_);
  // The handler waits for a value only its wait-until work sends: this
  // finishes only if the work starts while the handler is still running.
  RequestHandler handler = [](Request, ExecutionContext& ctx,
                              PlatformRuntime&) -> Future<Response> {
    auto [sender, receiver] = scheduler::MakeOneshot<std::string>();
    ctx.WaitUntil([](scheduler::OneshotSender<std::string> sender) -> Future<absl::Status> {
      co_return std::move(sender).Send("from the background");
    }(std::move(sender)));
    absl::StatusOr<std::string> value = co_await std::move(receiver);
    co_return Response{.status = 200, .body = value.value_or("nothing")};
  };
  RunOnMainLoop(*dispatcher_, runtime, [&]() -> Future<void> {
    Response response = co_await runtime.ServeRequest(Request(), handler);
    EXPECT_EQ(response.body, "from the background");
  });
}

TEST_F(WorkerRuntimeOnDispatcherTest, WorkRegisteredByWaitUntilWorkIsAwaitedToo) {
  WorkerRuntime runtime(dispatcher_);
  bool inner_done = false;
  RequestHandler handler = [&](Request, ExecutionContext& ctx,
                               PlatformRuntime& rt) -> Future<Response> {
    ctx.WaitUntil(
        [](ExecutionContext& ctx, PlatformRuntime& rt, bool& done) -> Future<absl::Status> {
          co_await rt.Delay(1ms);
          ctx.WaitUntil([](PlatformRuntime& rt, bool& done) -> Future<absl::Status> {
            co_await rt.Delay(10ms);
            done = true;
            co_return absl::OkStatus();
          }(rt, done));
          co_return absl::OkStatus();
        }(ctx, rt, inner_done));
    co_return Response{};
  };
  RunOnMainLoop(*dispatcher_, runtime, [&]() -> Future<void> {
    co_await runtime.ServeRequest(Request(), handler);
    EXPECT_TRUE(inner_done) << "the request finished before wait-until work registered late";
  });
  EXPECT_EQ(runtime.stats().wait_until_registered, 2u);
}

TEST_F(WorkerRuntimeOnDispatcherTest, WaitUntilFailuresAreReportedWithTheirCallSite) {
  std::vector<std::string> reported;
  WorkerRuntime runtime(dispatcher_, {.on_wait_until_error = [&](const absl::Status& error,
                                                                 std::source_location where) {
                          reported.push_back(absl::StrCat(where.file_name(), ":", where.line(), " ",
                                                          error.message()));
                        }});
  RequestHandler handler = [](Request, ExecutionContext& ctx,
                              PlatformRuntime&) -> Future<Response> {
    ctx.WaitUntil([]() -> Future<absl::Status> { co_return absl::UnavailableError("kv down"); }());
    ctx.WaitUntil([]() -> Future<absl::Status> {
      throw std::runtime_error("analytics exploded");
      co_return absl::OkStatus();
    }());
    co_return Response{.status = 202};
  };
  RunOnMainLoop(*dispatcher_, runtime, [&]() -> Future<void> {
    Response response = co_await runtime.ServeRequest(Request(), handler);
    EXPECT_EQ(response.status, 202) << "wait-until failures do not change the response";
  });
  ASSERT_EQ(reported.size(), 2u);
  EXPECT_THAT(reported[0], HasSubstr("worker_runtime_test.cc"));
  EXPECT_THAT(reported[0], HasSubstr("kv down"));
  EXPECT_THAT(reported[1], HasSubstr("analytics exploded"));
  EXPECT_EQ(runtime.stats().wait_until_failed, 2u);
}

TEST_F(WorkerRuntimeOnDispatcherTest, HandlerExceptionsPassThroughOnlyWhenAsked) {
  WorkerRuntime runtime(dispatcher_, {.origin = [](Request request) -> Future<Response> {
                          co_return Response{.status = 200, .body = "origin" + request.path};
                        }});
  auto throwing = [](bool pass_through) -> RequestHandler {
    return [pass_through](Request, ExecutionContext& ctx, PlatformRuntime&) -> Future<Response> {
      if (pass_through) ctx.PassThrough();
      throw std::runtime_error("handler bug");
      co_return Response{};
    };
  };
  RunOnMainLoop(*dispatcher_, runtime, [&]() -> Future<void> {
    // Named requests, not braced temporaries inside co_await: see request.h.
    const Request p{.path = "/p"}, f{.path = "/f"};
    Response passed = co_await runtime.ServeRequest(p, throwing(true));
    Response failed = co_await runtime.ServeRequest(f, throwing(false));
    EXPECT_EQ(passed.status, 200);
    EXPECT_EQ(passed.body, "origin/p");
    EXPECT_EQ(failed.status, 500);
    EXPECT_THAT(failed.body, HasSubstr("handler bug"));
  });
  EXPECT_EQ(runtime.stats().handler_errors, 2u);
  EXPECT_EQ(runtime.stats().passed_through, 1u);
}

TEST_F(WorkerRuntimeOnDispatcherTest, ConcurrentRequestsEachWaitForTheirOwnWork) {
  WorkerRuntime runtime(dispatcher_);
  constexpr int kRequests = 20;
  std::vector<bool> done(kRequests, false);
  RequestHandler handler = [&](Request request, ExecutionContext& ctx,
                               PlatformRuntime& rt) -> Future<Response> {
    const int i = std::stoi(request.path);
    ctx.WaitUntil([](PlatformRuntime& rt, std::vector<bool>& done, int i) -> Future<absl::Status> {
      co_await rt.Delay(std::chrono::milliseconds(1 + (i * 7) % 13));
      done[i] = true;
      co_return absl::OkStatus();
    }(rt, done, i));
    co_return Response{.body = request.path};
  };
  RunOnMainLoop(*dispatcher_, runtime, [&]() -> Future<void> {
    std::vector<Task<void>> clients;
    for (int i = 0; i < kRequests; ++i) {
      clients.push_back(runtime.executor().Spawn([&, i]() -> Future<void> {
        const Request request{.path = std::to_string(i)};
        Response response = co_await runtime.ServeRequest(request, handler);
        EXPECT_TRUE(done[i]) << "request " << i << " finished before its own work";
        EXPECT_EQ(response.body, std::to_string(i));
      }));
    }
    for (Task<void>& client : clients) co_await std::move(client);
  });
  EXPECT_EQ(runtime.stats().requests_finished, static_cast<uint64_t>(kRequests));
}

// The ordering promise again, over many interleavings (100 seeds).
SCHEDULER_TEST_WITH(WorkerRuntimeOnTestSchedulerTest, RequestFinishesAfterAllWaitUntilWork,
                    .iterations = 100) {
  WorkerRuntime runtime(scheduler);
  int finished_work = 0;
  RequestHandler handler = [&](Request, ExecutionContext& ctx,
                               PlatformRuntime& rt) -> Future<Response> {
    for (int i = 0; i < 3; ++i) {
      ctx.WaitUntil([](PlatformRuntime& rt, int& finished, int i) -> Future<absl::Status> {
        co_await rt.Delay(std::chrono::milliseconds(i));
        co_await rt.executor().background().SimulateRandomDelay();
        ++finished;
        co_return absl::OkStatus();
      }(rt, finished_work, i));
    }
    co_await rt.executor().background().SimulateRandomDelay();
    co_return Response{};
  };
  int finished_at_response = -1;
  Task<void> client = runtime.executor().Spawn([&]() -> Future<void> {
    co_await runtime.ServeRequest(Request(), handler);
    finished_at_response = finished_work;
  });
  scheduler->RunUntilParked();
  while (scheduler->AdvanceClockToNextTimer()) {
  }
  ASSERT_TRUE(client.IsReady());
  EXPECT_EQ(finished_at_response, 3);
}

TEST(WorkerRuntimeDeathTest, NullDispatcherIsFatal) {
  EXPECT_DEATH(WorkerRuntime(nullptr),
               "WorkerRuntime with a null dispatcher at .*worker_runtime_test.cc");
}

}  // namespace
}  // namespace cloud
