// A production program built from imported @unified_scheduler targets, through their repo-root
// include paths: this OS's dispatcher, Executor (with a priority, a dedicated session and a
// fallible task), the GPUI BackgroundExecutor and the Cloud WorkerRuntime serving one request.
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <utility>

#include "cloud_integration/worker_runtime.h"
#include "executor/dedicated.h"
#include "executor/executor.h"
#include "gpui_integration/background_executor.h"
#include "platforms/platform_dispatcher.h"
#include "scheduler/future.h"
#include "scheduler/task.h"

using scheduler::Executor;
using scheduler::Future;
using scheduler::LocalExecutor;
using scheduler::Priority;
using scheduler::Task;

namespace {

Future<int> Add(Executor ex, int a, int b) {
  co_await ex.Timer(std::chrono::milliseconds(1));
  co_return a + b;
}

// A free function, not a lambda: a coroutine lambda's captures die with the lambda object.
Future<absl::Status> Settle(cloud::PlatformRuntime& runtime) {
  co_await runtime.Delay(std::chrono::milliseconds(1));
  co_return absl::OkStatus();
}

Future<cloud::Response> Hello(cloud::Request request, cloud::ExecutionContext& ctx,
                              cloud::PlatformRuntime& runtime) {
  ctx.WaitUntil(Settle(runtime));
  co_return cloud::Response{.status = 200, .body = "hello " + request.path};
}

}  // namespace

int main() {
  std::shared_ptr<scheduler::PlatformDispatcher> dispatcher = scheduler::CreatePlatformDispatcher();
  Executor ex(dispatcher);
  int failures = 0;

  Task<int> high = ex.SpawnWithPriority(Priority::kHigh, Add(ex, 1, 2));
  if (ex.Block(std::move(high)) != 3) ++failures;

  Task<int> dedicated = ex.SpawnDedicated([](LocalExecutor local) -> Future<int> {
    Task<int> child = local.Spawn([]() -> Future<int> { co_return 4; });
    co_return co_await std::move(child);
  });
  std::optional<int> fallible = ex.Block(std::move(dedicated).Fallible());
  if (fallible != 4) ++failures;

  gpui::BackgroundExecutor background(dispatcher);
  if (background.Block(background.Spawn(Add(ex, 5, 6))) != 11) ++failures;

  cloud::WorkerRuntime runtime(dispatcher);
  cloud::Response response;
  runtime.executor()
      .Spawn([&]() -> Future<void> {
        // Built first: GCC 12 destroys a braced temporary inside co_await twice.
        cloud::Request request{.method = "GET", .path = "/import"};
        response = co_await runtime.ServeRequest(std::move(request), Hello);
        dispatcher->QuitMainLoop();
      })
      .Detach();
  dispatcher->RunMainLoop();
  if (response.status != 200 || response.body != "hello /import") ++failures;
  if (runtime.stats().requests_finished != 1) ++failures;

  dispatcher->Shutdown();
  if (failures != 0) {
    std::fprintf(stderr, "consumer: %d unexpected results\n", failures);
    return 1;
  }
  std::printf("consumer: executor, dispatcher, GPUI and Cloud layers imported and working\n");
  return 0;
}
