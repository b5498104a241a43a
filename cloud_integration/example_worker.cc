#include "cloud_integration/example_worker.h"

#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace cloud {
namespace {
constexpr char kItems[] = "/items/";
}  // namespace

EdgeCacheWorker::EdgeCacheWorker(FakeStore& cache, FakeStore& origin, FakeStore& analytics,
                                 Options options)
    : cache_(cache), origin_(origin), analytics_(analytics), options_(options) {}

RequestHandler EdgeCacheWorker::AsHandler() {
  return [this](Request request, ExecutionContext& ctx, PlatformRuntime& runtime) {
    return Handle(std::move(request), ctx, runtime);
  };
}

scheduler::Future<Response> EdgeCacheWorker::Handle(Request request, ExecutionContext& ctx,
                                                    PlatformRuntime& runtime) {
  const std::string line = absl::StrCat(request.method, " ", request.path);
  Response response = co_await Route(std::move(request), ctx, runtime);
  // Analytics must not delay the response, and must not be lost either.
  ctx.WaitUntil(
      analytics_.Put(absl::StrCat("event-", ++events_), absl::StrCat(line, " ", response.status)));
  co_return response;
}

scheduler::Future<Response> EdgeCacheWorker::Route(Request request, ExecutionContext& ctx,
                                                   PlatformRuntime& runtime) {
  if (!absl::StartsWith(request.path, kItems))
    co_return Response{.status = 404, .body = "no route"};
  std::string key = request.path.substr(sizeof(kItems) - 1);
  if (request.method == "GET") co_return co_await Get(std::move(key), ctx);
  if (request.method == "PUT") {
    co_return co_await Put(std::move(key), std::move(request.body), ctx, runtime);
  }
  co_return Response{.status = 405, .body = "method not allowed"};
}

scheduler::Future<Response> EdgeCacheWorker::Get(std::string key, ExecutionContext& ctx) {
  std::optional<std::string> cached = co_await cache_.Get(key);
  if (cached) co_return Response{.status = 200, .body = *cached};
  std::optional<std::string> value = co_await origin_.Get(key);
  if (!value) co_return Response{.status = 404, .body = absl::StrCat("no item ", key)};
  // Fill the cache after answering; the request lasts until the fill is done.
  ctx.WaitUntil(cache_.Put(key, *value));
  co_return Response{.status = 200, .body = *value};
}

scheduler::Future<Response> EdgeCacheWorker::Put(std::string key, std::string body,
                                                 ExecutionContext& ctx, PlatformRuntime& runtime) {
  // Write-through: refresh the cache while the origin write is in flight.
  if (options_.fix_bug) {
    ctx.WaitUntil(cache_.Put(key, body));
  } else {
    // PLANTED BUG: fire-and-forget. Nothing ties this write to the request,
    // so a slow cache write outlives the response (see example_worker.h).
    runtime.executor().Spawn(cache_.Put(key, body)).Detach();
  }
  absl::Status stored = co_await origin_.Put(key, std::move(body));
  if (!stored.ok()) co_return Response{.status = 503, .body = stored.ToString()};
  co_return Response{.status = 201, .body = absl::StrCat("stored ", key)};
}

}  // namespace cloud
