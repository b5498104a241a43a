// Request, Response and RequestHandler: the shape of a Cloud worker.
//
// A worker is a function from a request to a future response. It receives the
// request's ExecutionContext (to register background work and to ask for
// pass-through) and the PlatformRuntime (to wait and to spawn). Both runtimes
// in this package, SimulatedExecutionContext and WorkerRuntime, serve
// handlers of this type, so one worker runs unchanged under the deterministic
// simulation and in production.
#ifndef CLOUD_INTEGRATION_REQUEST_H_
#define CLOUD_INTEGRATION_REQUEST_H_

#include <functional>
#include <source_location>
#include <string>

#include "absl/status/status.h"
#include "cloud_integration/execution_context.h"
#include "scheduler/future.h"

namespace cloud {

// GCC 12 pitfall (a compiler bug, reproduced outside this project): an
// aggregate built with braces *inside a co_await expression* and passed by
// value to a coroutine is destroyed twice, e.g.
//   co_await runtime.ServeRequest({.path = "/a"}, handler);   // double free
// Build it first (`Request r{.path = "/a"}; co_await runtime.ServeRequest(r, h);`).
// `Request()` and function results are not affected.
struct Request {
  std::string method;  // "GET", "PUT", ...
  std::string path;    // "/items/a"
  std::string body;
};

struct Response {
  int status = 200;
  std::string body;
};

// Handles one request. The runtime calls it once per request and keeps the
// std::function alive until the returned future has finished, so a coroutine
// lambda may use its captures. `ctx` and `runtime` outlive the request.
using RequestHandler = std::function<scheduler::Future<Response>(
    Request request, ExecutionContext& ctx, PlatformRuntime& runtime)>;

// Where a request goes when its handler threw after `ExecutionContext::PassThrough()`
// (the origin server behind the worker).
using OriginHandler = std::function<scheduler::Future<Response>(Request request)>;

// Receives each failure of wait-until work (a non-OK status, or an exception
// turned into InternalError) with the WaitUntil call site. Runtimes default
// to printing it to stderr: a failure is never dropped silently.
using WaitUntilErrorReporter =
    std::function<void(const absl::Status& error, std::source_location registered_at)>;

}  // namespace cloud

#endif  // CLOUD_INTEGRATION_REQUEST_H_
